namespace Sluice.Controller.Internal;

/// <summary>What the controller does to a shard.</summary>
internal enum ChangeKind
{
    /// <summary>A live, in-sync replica of the current incarnation becomes leader.</summary>
    Elect,

    /// <summary>
    /// No in-sync replica kept its incarnation, but one restarted and is live: it becomes leader.
    /// Safe because a log is fsynced before any ack, so every ISR member holds every acknowledged record.
    /// </summary>
    ElectRestarted,

    /// <summary>No in-sync replica is live: no leader, the leader epoch bumped to fence the old one, the ISR kept.</summary>
    Offline,

    /// <summary>The leader is fine; dead or restarted followers leave the ISR.</summary>
    ShrinkIsr,
}
