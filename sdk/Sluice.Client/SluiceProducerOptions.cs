using Sluice.V1;

namespace Sluice.Client;

/// <summary>
/// Settings of a <see cref="SluiceProducer"/>: idempotence, acks and how failed calls are retried. Immutable; derive
/// variants with <c>with</c>.
/// </summary>
public sealed record SluiceProducerOptions
{
    /// <summary>The options every property of which has its default value.</summary>
    public static SluiceProducerOptions Default { get; } = new();

    /// <summary>
    /// Whether the producer is idempotent (the default): it gets a producer id from the gateway on first use and stamps
    /// every call with a sequence number, so that a retry is never written twice. Without it a retry after a failure
    /// whose outcome is unknown (the gateway died, a replication timeout) may write records twice.
    /// </summary>
    public bool Idempotent { get; init; } = true;

    /// <summary>What each call waits for; <see cref="Acks.Unspecified"/> (the default) takes the stream's default.</summary>
    public Acks Acks { get; init; } = Acks.Unspecified;

    /// <summary>
    /// How many times one call is sent at most (the first time included) while it fails retriably: as a whole with a
    /// retriable status (<see cref="SluiceClient.IsRetriable(Grpc.Core.RpcException)"/>), or for some of its records
    /// (<see cref="SluiceClient.IsRetriable(PutRecordsResult)"/>). Defaults to 6; at least 1.
    /// </summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>The pause before the first retry; it doubles for each further one, up to <see cref="MaxBackoff"/>. Defaults to 100 ms.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest pause between two attempts. Defaults to 5 seconds.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinBackoff, TimeSpan.Zero, nameof(MinBackoff));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBackoff, MinBackoff, nameof(MaxBackoff));
    }
}
