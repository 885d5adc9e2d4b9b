using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sluice.Metadata;

namespace Sluice.Gateway.Kinesis.Consumers;

/// <summary>
/// Keeps Kinesis' rule of one subscription per consumer and shard across every gateway. A new
/// subscription takes its shard's lease in PostgreSQL (refused while the holder is younger than
/// <see cref="KinesisOptions.SubscriptionTakeoverAfter"/>). An older subscription on this gateway is
/// ended at once; on another gateway, by that gateway's periodic check of all its subscriptions in
/// one query, which also ends subscriptions whose consumer was deregistered or whose stream was deleted.
/// </summary>
internal sealed partial class SubscriptionRegistry(
    ConsumerCatalog catalog, IOptions<KinesisOptions> options, ILogger<SubscriptionRegistry> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<(long ConsumerId, int ShardIndex), Subscription> _byShard = new();

    /// <summary>Subscriptions this gateway serves now.</summary>
    public int Count => _byShard.Count;

    /// <summary>
    /// Starts a subscription of the consumer to the shard: null when a younger one holds it;
    /// throws <see cref="KeyNotFoundException"/> when the consumer no longer exists.
    /// </summary>
    public async Task<Subscription?> TryStartAsync(long consumerId, int shardIndex, CancellationToken cancellationToken)
    {
        var lease = new SubscriptionLease(consumerId, shardIndex, Guid.NewGuid());
        var acquired = await catalog.TryAcquireSubscriptionAsync(lease, options.Value.SubscriptionTakeoverAfter, cancellationToken);
        if (acquired is null)
        {
            throw new KeyNotFoundException($"Consumer {consumerId} no longer exists.");
        }

        if (acquired == false)
        {
            return null;
        }

        var subscription = new Subscription(lease);
        _byShard.AddOrUpdate(
            (consumerId, shardIndex),
            subscription,
            (_, older) =>
            {
                older.Lose(SubscriptionLeaseState.TakenOver);
                return subscription;
            });
        return subscription;
    }

    /// <summary>Forgets the subscription and gives up its shard's lease (if it still holds it).</summary>
    public async Task EndAsync(Subscription subscription)
    {
        _byShard.TryRemove(new KeyValuePair<(long, int), Subscription>((subscription.Lease.ConsumerId, subscription.Lease.ShardIndex), subscription));
        try
        {
            if (subscription.State == SubscriptionLeaseState.Held)
            {
                await catalog.ReleaseSubscriptionAsync(subscription.Lease.SubscriptionId, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            // The lease then stays until a newer subscription takes it over, after the takeover time.
            LogReleaseFailed(logger, ex, subscription.Lease.SubscriptionId);
        }
        finally
        {
            subscription.Dispose();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SubscriptionLeaseCheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var active = _byShard.Values.ToList();
                if (active.Count == 0)
                {
                    continue;
                }

                try
                {
                    var states = await catalog.CheckSubscriptionsAsync([.. active.Select(s => s.Lease)], stoppingToken);
                    foreach (var subscription in active)
                    {
                        if (states.TryGetValue(subscription.Lease.SubscriptionId, out var state) && state != SubscriptionLeaseState.Held)
                        {
                            subscription.Lose(state);
                        }
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // A metadata outage ends no subscription: records still flow from the storage nodes.
                    LogCheckFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing the shard lease of subscription {SubscriptionId} failed")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, Guid subscriptionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the shard leases of this gateway's subscriptions failed; retrying")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
