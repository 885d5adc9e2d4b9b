using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sluice.Log;
using Sluice.Metadata;

namespace Sluice.StorageNode.Internal;

/// <summary>
/// Knows which shards this node leads (from PostgreSQL, cached briefly) and opens their logs.
/// Requests carry the leader epoch the caller believes in; a mismatch re-reads the assignment,
/// and a caller behind the current epoch is refused so it refreshes its routing.
/// </summary>
internal sealed partial class ReplicaManager(
    LogStore logs,
    StreamCatalog catalog,
    IOptions<NodeOptions> nodeOptions,
    IOptions<LogSettings> logSettings,
    TimeProvider timeProvider,
    ILogger<ReplicaManager> logger)
{
    private readonly ConcurrentDictionary<(long StreamId, int ShardIndex), CachedAssignment> _assignments = new();
    private readonly ConcurrentDictionary<(long StreamId, int ShardIndex), byte> _refreshing = new();
    private readonly ConcurrentDictionary<(long StreamId, int ShardIndex), ShardWriteGate> _gates = new();
    private readonly NodeOptions _node = nodeOptions.Value;

    public static string LogName(long streamId, int shardIndex) => $"{streamId}/{shardIndex}";

    /// <summary>
    /// The log of a shard this node leads at <paramref name="leaderEpoch"/>, opened on first use;
    /// for an append (<paramref name="forAppend"/>) the shard must also be open. Appends hold the
    /// shard's <see cref="WriteGate"/> around this call and the write.
    /// </summary>
    public async ValueTask<PartitionLog> GetLeaderLogAsync(long streamId, int shardIndex, int leaderEpoch, CancellationToken cancellationToken, bool forAppend = false)
    {
        var shard = $"{streamId}/{shardIndex}";
        if (IsRemoved(streamId, shardIndex))
        {
            // Its stream is being deleted: never re-create the log that DeleteShards removed.
            throw StorageErrors.UnknownShard(shard);
        }

        var assignment = await GetAssignmentAsync(streamId, shardIndex, leaderEpoch, cancellationToken)
            ?? throw StorageErrors.UnknownShard(shard);
        if (!string.Equals(assignment.LeaderNodeId, _node.Id, StringComparison.Ordinal))
        {
            throw StorageErrors.NotLeader(shard, assignment.LeaderNodeId);
        }

        if (leaderEpoch != assignment.LeaderEpoch)
        {
            throw StorageErrors.StaleEpoch(shard, leaderEpoch, assignment.LeaderEpoch);
        }

        if (forAppend && assignment.IsClosed)
        {
            throw StorageErrors.ShardClosed(shard);
        }

        return logs.GetOrOpen(LogName(streamId, shardIndex), logSettings.Value.ToLogOptions(assignment.RetentionHours));
    }

    /// <summary>The gate that appends to a shard pass and a seal waits on.</summary>
    public ShardWriteGate WriteGate(long streamId, int shardIndex) => _gates.GetOrAdd((streamId, shardIndex), static _ => new ShardWriteGate());

    /// <summary>
    /// Seals a shard closed at <paramref name="leaderEpoch"/>: re-reads its assignment from
    /// PostgreSQL (so appends from now on see it closed and are refused), waits for the appends
    /// already past the check, and returns the end of the log, which no append moves after this.
    /// </summary>
    public async Task<long> SealAsync(long streamId, int shardIndex, int leaderEpoch, CancellationToken cancellationToken)
    {
        var shard = LogName(streamId, shardIndex);
        _assignments.TryGetValue((streamId, shardIndex), out var cached);
        var assignment = await FetchAsync(streamId, shardIndex, cached, cancellationToken) ?? throw StorageErrors.UnknownShard(shard);
        if (!assignment.IsClosed)
        {
            throw StorageErrors.ShardOpen(shard);
        }

        if (!string.Equals(assignment.LeaderNodeId, _node.Id, StringComparison.Ordinal))
        {
            throw StorageErrors.NotLeader(shard, assignment.LeaderNodeId);
        }

        if (leaderEpoch != assignment.LeaderEpoch)
        {
            throw StorageErrors.StaleEpoch(shard, leaderEpoch, assignment.LeaderEpoch);
        }

        await WriteGate(streamId, shardIndex).WaitForWritersAsync(cancellationToken);
        var log = logs.GetOrOpen(LogName(streamId, shardIndex), logSettings.Value.ToLogOptions(assignment.RetentionHours));
        LogSealed(logger, streamId, shardIndex, log.LogEndOffset);
        return log.LogEndOffset;
    }

    /// <summary>The current assignment of a shard, or null when it does not exist.</summary>
    public async ValueTask<ShardAssignment?> GetAssignmentAsync(long streamId, int shardIndex, int expectedEpoch, CancellationToken cancellationToken)
    {
        var key = (streamId, shardIndex);
        var now = timeProvider.GetUtcNow();
        if (_assignments.TryGetValue(key, out var cached)
            && now - cached.FetchedAt < _node.AssignmentTtl
            && cached.Assignment.LeaderEpoch >= expectedEpoch)
        {
            // Refresh ahead, off the request path, so appends never wait on PostgreSQL in steady state.
            if (now - cached.FetchedAt > _node.AssignmentTtl / 2 && _refreshing.TryAdd(key, 0))
            {
                _ = RefreshInBackgroundAsync(streamId, shardIndex);
            }

            return cached.Assignment;
        }

        return await FetchAsync(streamId, shardIndex, cached, cancellationToken);
    }

    private async Task RefreshInBackgroundAsync(long streamId, int shardIndex)
    {
        try
        {
            _assignments.TryGetValue((streamId, shardIndex), out var cached);
            await FetchAsync(streamId, shardIndex, cached, CancellationToken.None);
        }
        catch (Exception)
        {
            // The next request past the TTL fetches in line and reports the error.
        }
        finally
        {
            _refreshing.TryRemove((streamId, shardIndex), out _);
        }
    }

    private async ValueTask<ShardAssignment?> FetchAsync(long streamId, int shardIndex, CachedAssignment? cached, CancellationToken cancellationToken)
    {
        var key = (streamId, shardIndex);
        var now = timeProvider.GetUtcNow();
        try
        {
            var fresh = await catalog.FindShardAsync(streamId, shardIndex, cancellationToken);
            if (fresh is null)
            {
                _assignments.TryRemove(key, out _);
                return null;
            }

            // Never step back to an older epoch: a background refresh that read before a reshard
            // committed must not reopen a shard that a seal has just closed.
            var stored = _assignments.AddOrUpdate(key,
                static (_, added) => added,
                static (_, current, added) => added.Assignment.LeaderEpoch >= current.Assignment.LeaderEpoch ? added : current,
                new CachedAssignment(fresh, now));
            return stored.Assignment;
        }
        catch (Exception ex) when (MetadataDatabase.IsTransient(ex))
        {
            // Without PostgreSQL no leader can change either, so the last known assignment is still
            // the truth; without one there is nothing safe to do.
            if (cached is not null)
            {
                LogUsingCachedAssignment(logger, streamId, shardIndex, ex.Message);
                return cached.Assignment;
            }

            throw StorageErrors.Unavailable($"The metadata store is unreachable and shard {streamId}/{shardIndex} is not known here yet.");
        }
    }

    /// <summary>Forgets cached assignments, e.g. after replicas were removed.</summary>
    public void Forget(long streamId, int shardIndex) => _assignments.TryRemove((streamId, shardIndex), out _);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sealed closed shard {StreamId}/{ShardIndex} at log end offset {LogEndOffset}")]
    private static partial void LogSealed(ILogger logger, long streamId, int shardIndex, long logEndOffset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metadata store unreachable; using the cached assignment of shard {StreamId}/{ShardIndex}: {Reason}")]
    private static partial void LogUsingCachedAssignment(ILogger logger, long streamId, int shardIndex, string reason);

    private sealed record CachedAssignment(ShardAssignment Assignment, DateTimeOffset FetchedAt);
}
