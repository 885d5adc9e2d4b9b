namespace Sluice.Metadata;

/// <summary>The answer of <see cref="StreamLifecycleRules.DecideDelete"/>.</summary>
public enum DeleteDecision
{
    /// <summary>Mark the stream DELETING.</summary>
    Begin,

    /// <summary>A deletion is under way already: the request succeeds without changing anything.</summary>
    AlreadyDeleting,

    /// <summary>Refused: the stream is busy with another transition (CREATING, UPDATING).</summary>
    InUse,
}
