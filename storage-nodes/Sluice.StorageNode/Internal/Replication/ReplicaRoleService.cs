using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Sluice.Metadata;

namespace Sluice.StorageNode.Internal;

/// <summary>
/// Keeps this node's roles in line with PostgreSQL: leads the shards it is the leader of, follows the others it holds
/// a replica of, and as a leader shrinks the ISR of followers that fell behind. Runs at once on a partition-change
/// notification (LISTEN/NOTIFY) and every <see cref="ReplicationOptions.RoleSyncInterval"/> as the fallback.
/// </summary>
internal sealed partial class ReplicaRoleService(
    ReplicaManager replicas,
    ReplicaFetchers fetchers,
    StreamCatalog catalog,
    PeerClients peers,
    ShardChangeListener changes,
    NodeHeartbeatService heartbeat,
    IOptions<NodeOptions> nodeOptions,
    IOptions<ReplicationOptions> replicationOptions,
    TimeProvider timeProvider,
    ILogger<ReplicaRoleService> logger) : BackgroundService
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        changes.Changed += OnChanged;
        changes.Reset += Wake;
        fetchers.StaleAssignment += Wake;
        try
        {
            while (heartbeat.NodeEpoch == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken);
            }

            var interval = replicationOptions.Value.RoleSyncInterval;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await SyncAsync(stoppingToken);
                    await MaintainIsrAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // PostgreSQL down, most likely: every role stays as it is (leaders keep serving what they lead).
                    LogSyncFailed(logger, ex.Message);
                }

                using var tick = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                tick.CancelAfter(interval);
                try
                {
                    await _wake.Reader.ReadAsync(tick.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // The polling fallback.
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            changes.Changed -= OnChanged;
            changes.Reset -= Wake;
            fetchers.StaleAssignment -= Wake;
        }
    }

    private void OnChanged(ShardChange change) => Wake();

    private void Wake() => _wake.Writer.TryWrite(true);

    private async Task SyncAsync(CancellationToken cancellationToken)
    {
        var nodeId = nodeOptions.Value.Id;
        var assignments = await catalog.ListAssignmentsAsync(nodeId, cancellationToken);
        replicas.KnownNodeEpochs = await peers.NodeEpochsAsync(cancellationToken);
        var assigned = new HashSet<(long, int)>();
        foreach (var assignment in assignments)
        {
            assigned.Add((assignment.StreamId, assignment.ShardIndex));
            await replicas.ApplyAsync(assignment, cancellationToken);
        }

        // Replicas moved away from this node (or whose stream is gone): neither lead nor follow them any more.
        foreach (var (streamId, shardIndex) in fetchers.Followed.ToArray())
        {
            if (!assigned.Contains((streamId, shardIndex)))
            {
                await replicas.ReleaseAsync(streamId, shardIndex, "its replica is no longer placed on this node");
            }
        }

        foreach (var leader in replicas.Leaders.ToArray())
        {
            if (!assigned.Contains((leader.StreamId, leader.ShardIndex)))
            {
                await replicas.ReleaseAsync(leader.StreamId, leader.ShardIndex, "its replica is no longer placed on this node");
            }
        }
    }

    /// <summary>Drops followers that have not caught up for longer than the lag limit from the ISR of every shard led here.</summary>
    private async Task MaintainIsrAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var maxLag = replicationOptions.Value.ReplicaLagTimeMax;
        foreach (var leader in replicas.Leaders.ToArray())
        {
            if (leader.IsStopped)
            {
                continue;
            }

            var laggards = leader.FindLaggards(maxLag, now);
            if (laggards.Count == 0)
            {
                continue;
            }

            var isr = IsrMembers.Of(leader.Assignment).Where(m => !laggards.Contains(m.NodeId)).ToList();
            await replicas.ChangeIsrAsync(leader, isr, $"{string.Join(",", laggards)} not caught up for over {maxLag.TotalSeconds:0.#} s", cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica role sync failed: {Reason}")]
    private static partial void LogSyncFailed(ILogger logger, string reason);
}
