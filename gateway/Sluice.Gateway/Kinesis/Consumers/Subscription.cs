using Sluice.Metadata;

namespace Sluice.Gateway.Kinesis.Consumers;

/// <summary>
/// One SubscribeToShard being served by this gateway, holding its consumer's shard in
/// PostgreSQL; <see cref="Lost"/> is cancelled when it must end before its time.
/// </summary>
internal sealed class Subscription(SubscriptionLease lease) : IDisposable
{
    private readonly CancellationTokenSource _lost = new();
    private int _state = (int)SubscriptionLeaseState.Held;

    public SubscriptionLease Lease { get; } = lease;

    /// <summary>Cancelled when the subscription was taken over or its consumer is gone.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary><see cref="SubscriptionLeaseState.Held"/> until it is lost, then why.</summary>
    public SubscriptionLeaseState State => (SubscriptionLeaseState)Volatile.Read(ref _state);

    /// <summary>Ends the subscription for <paramref name="reason"/> (the first reason given stands).</summary>
    public void Lose(SubscriptionLeaseState reason)
    {
        if (reason != SubscriptionLeaseState.Held
            && Interlocked.CompareExchange(ref _state, (int)reason, (int)SubscriptionLeaseState.Held) == (int)SubscriptionLeaseState.Held)
        {
            _lost.Cancel();
        }
    }

    public void Dispose() => _lost.Dispose();
}
