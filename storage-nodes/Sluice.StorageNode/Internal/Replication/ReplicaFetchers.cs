using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sluice.Log;
using Sluice.Metadata;

namespace Sluice.StorageNode.Internal;

/// <summary>
/// The follower side of replication: one fetch loop per leader node, carrying every shard this node replicates from
/// that leader (like Kafka's replica fetcher threads), so an idle cluster costs one long poll per pair of nodes, not
/// one per shard.
/// </summary>
internal sealed partial class ReplicaFetchers(
    LogStore logs,
    PeerClients peers,
    NodeHeartbeatService heartbeat,
    IOptions<NodeOptions> nodeOptions,
    IOptions<LogSettings> logSettings,
    IOptions<ReplicationOptions> replicationOptions,
    ILogger<ReplicaFetchers> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(long StreamId, int ShardIndex), FollowedShard> _shards = new();
    private readonly ConcurrentDictionary<string, LeaderFetcher> _fetchers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly PeerClients _peers = peers;
    private readonly NodeHeartbeatService _heartbeat = heartbeat;
    private readonly string _nodeId = nodeOptions.Value.Id;
    private readonly ReplicationOptions _options = replicationOptions.Value;
    private readonly ILogger _logger = logger;

    /// <summary>Raised when a leader says this node's view of a shard is stale (not-leader, stale-epoch, unknown).</summary>
    public event Action? StaleAssignment;

    public ICollection<(long StreamId, int ShardIndex)> Followed => _shards.Keys;

    /// <summary>Follows <paramref name="assignment"/>'s leader at its epoch; a no-op when already doing so.</summary>
    public async ValueTask FollowAsync(ShardAssignment assignment, CancellationToken cancellationToken)
    {
        var key = (assignment.StreamId, assignment.ShardIndex);
        var leader = assignment.LeaderNodeId!;
        if (_shards.TryGetValue(key, out var current)
            && current.LeaderEpoch == assignment.LeaderEpoch
            && string.Equals(current.LeaderNodeId, leader, StringComparison.Ordinal))
        {
            return;
        }

        await UnfollowAsync(key.StreamId, key.ShardIndex);
        var log = logs.GetOrOpen(ReplicaManager.LogName(key.StreamId, key.ShardIndex), logSettings.Value.ToLogOptions(assignment.RetentionHours));
        var shard = new FollowedShard(key.StreamId, key.ShardIndex, leader, assignment.LeaderEpoch, log);
        lock (_lock)
        {
            _shards[key] = shard;
            var fetcher = _fetchers.GetOrAdd(leader, id => new LeaderFetcher(this, id));
            fetcher.Add(shard);
        }

        LogFollowing(logger, key.StreamId, key.ShardIndex, leader, assignment.LeaderEpoch);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Stops following a shard and completes once no replicated append to its log is running or can start: after
    /// this the log may be led, truncated or deleted.
    /// </summary>
    public async ValueTask UnfollowAsync(long streamId, int shardIndex)
    {
        FollowedShard? shard;
        lock (_lock)
        {
            if (!_shards.TryRemove((streamId, shardIndex), out shard))
            {
                return;
            }

            if (_fetchers.TryGetValue(shard.LeaderNodeId, out var fetcher))
            {
                fetcher.Remove(shard);
            }
        }

        await shard.Busy.WaitAsync().ConfigureAwait(false);
        shard.Removed = true;
        shard.Busy.Release();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var fetcher in _fetchers.Values)
        {
            await fetcher.DisposeAsync();
        }
    }

    private sealed class FollowedShard(long streamId, int shardIndex, string leaderNodeId, int leaderEpoch, PartitionLog log)
    {
        public long StreamId { get; } = streamId;

        public int ShardIndex { get; } = shardIndex;

        public string LeaderNodeId { get; } = leaderNodeId;

        public int LeaderEpoch { get; } = leaderEpoch;

        public PartitionLog Log { get; } = log;

        /// <summary>Held while a fetch result is applied to the log.</summary>
        public SemaphoreSlim Busy { get; } = new(1, 1);

        /// <summary>Set once unfollowed: nothing touches the log any more.</summary>
        public bool Removed { get; set; }

        /// <summary>Ask the leader where our epochs end and truncate before fetching (after every (re)start).</summary>
        public bool NeedsTruncation { get; set; } = true;

        /// <summary>
        /// The leader refused our epoch: skipped until then, giving the role sync time to follow a newer assignment
        /// (which replaces this shard); tried again afterwards in case the leader was the one behind.
        /// </summary>
        public long StaleUntilTicks { get; set; }

        public bool IsStale => Environment.TickCount64 < StaleUntilTicks;

        public string Name => $"{StreamId}/{ShardIndex}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Following {StreamId}/{ShardIndex} from leader {LeaderNodeId} at leader epoch {LeaderEpoch}")]
    private static partial void LogFollowing(ILogger logger, long streamId, int shardIndex, string leaderNodeId, int leaderEpoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Truncated replica {Shard} from {From} to {To} (leader epoch history, KIP-101/279)")]
    private static partial void LogTruncated(ILogger logger, string shard, long from, long to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reset replica {Shard} to start at {Offset}: the leader no longer has what it held")]
    private static partial void LogReset(ILogger logger, string shard, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetch from {LeaderNodeId} failed: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string leaderNodeId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replicated batches of {Shard} refused: {Reason}; truncating again")]
    private static partial void LogBatchesRefused(ILogger logger, string shard, string reason);
}
