using System.ComponentModel.DataAnnotations;

namespace Sluice.Gateway.Streams;

/// <summary>How gateways drive streams through CREATING and DELETING, bound from <c>Sluice:Lifecycle</c>.</summary>
public sealed record StreamLifecycleOptions
{
    public const string Section = "Sluice:Lifecycle";

    /// <summary>
    /// How often every gateway looks in PostgreSQL for streams stuck CREATING or DELETING (their
    /// gateway died, or a storage node was down) and completes them.
    /// </summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long REST and gRPC create and delete wait for the stream to be ACTIVE (or gone) before
    /// answering with it still CREATING (DELETING). The Kinesis API never waits, as Kinesis.
    /// </summary>
    public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Pause between two attempts at one stream while a caller waits for it.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Deadline of one PrepareShards or DeleteShards call to a storage node.</summary>
    public TimeSpan NodeCallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Streams one gateway works on at once in a sweep.</summary>
    [Range(1, 64)]
    public int MaxConcurrentTransitions { get; init; } = 4;

    /// <summary>The most streams one sweep picks up (oldest first); the next sweep takes the rest.</summary>
    [Range(1, 10_000)]
    public int SweepBatchSize { get; init; } = 100;

    /// <summary>True when every duration is positive, so that the host refuses to start otherwise.</summary>
    public bool HasValidDurations() =>
        SweepInterval > TimeSpan.Zero && WaitTimeout >= TimeSpan.Zero && RetryDelay > TimeSpan.Zero && NodeCallTimeout > TimeSpan.Zero;
}
