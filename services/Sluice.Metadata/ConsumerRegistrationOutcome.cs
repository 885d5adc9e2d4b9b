namespace Sluice.Metadata;

/// <summary>What became of a <see cref="ConsumerCatalog.RegisterAsync"/>.</summary>
public enum ConsumerRegistrationOutcome
{
    /// <summary>The consumer was stored, CREATING.</summary>
    Registered,

    /// <summary>The tenant has no such stream.</summary>
    StreamNotFound,

    /// <summary>The stream has a consumer of that name (in any status).</summary>
    NameInUse,

    /// <summary>The stream has its maximum number of consumers.</summary>
    ConsumerLimit,

    /// <summary>The stream has its maximum number of consumers still CREATING.</summary>
    CreatingLimit,
}
