namespace Sluice.Controller.Internal;

/// <summary>What the controller does next for a shard being reassigned.</summary>
internal enum ReassignmentStepKind
{
    /// <summary>
    /// Leadership moves (next leader epoch, ISR unchanged) to a live in-sync replica of the target:
    /// the leader is being removed, or the target names another preferred leader.
    /// </summary>
    MoveLeader,

    /// <summary>The replica set becomes the target; the removed replicas leave it and the ISR.</summary>
    Complete,
}
