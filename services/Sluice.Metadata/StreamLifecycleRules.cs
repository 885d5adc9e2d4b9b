using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>
/// What each stream status allows, in one place for every face: a stream takes records only while
/// ACTIVE (or UPDATING, during a reshard), and CREATING and DELETING are the transitions the
/// gateways' lifecycle service completes.
/// </summary>
public static class StreamLifecycleRules
{
    /// <summary>True when puts and reads are served (Kinesis: ACTIVE and UPDATING).</summary>
    public static bool AcceptsRecords(StreamStatus status) => status is StreamStatus.Active or StreamStatus.Updating;

    /// <summary>True for the states a gateway drives to their end: CREATING → ACTIVE, DELETING → gone.</summary>
    public static bool IsTransitioning(StreamStatus status) => status is StreamStatus.Creating or StreamStatus.Deleting;

    /// <summary>
    /// Whether a delete request may mark a stream of <paramref name="status"/> DELETING. Kinesis
    /// deletes ACTIVE streams only; <paramref name="allowWhileCreating"/> lets our own faces abandon a
    /// stream whose creation cannot finish (a storage node that does not come back).
    /// </summary>
    public static DeleteDecision DecideDelete(StreamStatus status, bool allowWhileCreating) => status switch
    {
        StreamStatus.Active => DeleteDecision.Begin,
        StreamStatus.Creating when allowWhileCreating => DeleteDecision.Begin,
        StreamStatus.Deleting => DeleteDecision.AlreadyDeleting,
        _ => DeleteDecision.InUse,
    };
}
