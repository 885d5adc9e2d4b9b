using Sluice.Client;

namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>Settings of a <see cref="Workload"/>.</summary>
internal sealed record WorkloadOptions
{
    /// <summary>The stream to write.</summary>
    public required string Stream { get; init; }

    /// <summary>Gateways to write through: a producer starts on the first and moves to the next when one is unavailable.</summary>
    public required IReadOnlyList<SluiceClient> Clients { get; init; }

    /// <summary>Seeds the partition keys and the backoff jitter of every producer.</summary>
    public required int Seed { get; init; }

    /// <summary>Concurrent producer tasks.</summary>
    public int Producers { get; init; } = 3;

    /// <summary>Records per put.</summary>
    public int BatchSize { get; init; } = 5;

    /// <summary>Pause between two puts of one producer: keeps the load moderate on a shared machine.</summary>
    public TimeSpan Pace { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The most one put may take before it counts as timed out (its records become unknown).</summary>
    public TimeSpan PutTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>First backoff after a retriable failure; doubled on each failure in a row.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest backoff.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public RetryValues Retry { get; init; } = RetryValues.Fresh;

    /// <summary>One sender per producer task (its index given).</summary>
    public Func<int, IRecordSender> SenderFactory { get; init; } = _ => PlainSender.Instance;
}
