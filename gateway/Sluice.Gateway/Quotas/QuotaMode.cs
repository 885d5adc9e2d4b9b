namespace Sluice.Gateway.Quotas;

/// <summary>Where the quotas are kept now.</summary>
public enum QuotaMode
{
    /// <summary>Quotas are off (<see cref="QuotaOptions.Enabled"/> false).</summary>
    Disabled,

    /// <summary>In Redis, shared by every gateway.</summary>
    Redis,

    /// <summary>Redis is unavailable: this gateway limits on its own, to its share of every limit.</summary>
    LocalFallback,
}
