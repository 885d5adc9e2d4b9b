using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sluice.Log;
using Sluice.Metadata;

namespace Sluice.StorageNode.Internal;

/// <summary>
/// Knows which shards this node leads or follows (from PostgreSQL, cached briefly, refreshed at once on a
/// notification) and holds their replication state. Requests carry the leader epoch the caller believes in; a
/// mismatch re-reads the assignment, and a caller behind the current epoch is refused so it refreshes its routing
/// (KIP-320 fencing). Leading a shard at an epoch starts with <see cref="LeaderReplica"/> made fresh for it, after
/// the follower side has let go of the log.
/// </summary>
internal sealed partial class ReplicaManager(
    LogStore logs,
    StreamCatalog catalog,
    PartitionStateStore partitions,
    ReplicaFetchers fetchers,
    FetchSignals fetchSignals,
    NodeHeartbeatService heartbeat,
    IOptions<NodeOptions> nodeOptions,
    IOptions<LogSettings> logSettings,
    IOptions<ReplicationOptions> replicationOptions,
    StreamKeyRing keyRing,
    TimeProvider timeProvider,
    ILogger<ReplicaManager> logger)
{
    private readonly ConcurrentDictionary<(long StreamId, int ShardIndex), CachedAssignment> _assignments = new();
    private readonly ConcurrentDictionary<(long StreamId, int ShardIndex), byte> _refreshing = new();
    private readonly ConcurrentDictionary<(long StreamId, int ShardIndex), ShardWriteGate> _gates = new();
    private readonly ConcurrentDictionary<(long StreamId, int ShardIndex), LeaderReplica> _leaders = new();
    private readonly ConcurrentDictionary<(long StreamId, int ShardIndex), SemaphoreSlim> _transitions = new();
    private readonly NodeOptions _node = nodeOptions.Value;

    public static string LogName(long streamId, int shardIndex) => $"{streamId}/{shardIndex}";

    public string NodeId => _node.Id;

    public ReplicationOptions Replication => replicationOptions.Value;

    public FetchSignals Signals => fetchSignals;

    /// <summary>The node epoch of every registered node, as the role sync last read them (KIP-903 checks).</summary>
    public IReadOnlyDictionary<string, long> KnownNodeEpochs { get; set; } = new Dictionary<string, long>();

    /// <summary>The shards this node leads right now.</summary>
    public ICollection<LeaderReplica> Leaders => _leaders.Values;

    /// <summary>
    /// The log of a shard this node leads at <paramref name="leaderEpoch"/>, opened on first use;
    /// for an append (<paramref name="forAppend"/>) the shard must also be open. Appends hold the
    /// shard's <see cref="WriteGate"/> around this call and the write.
    /// </summary>
    public async ValueTask<PartitionLog> GetLeaderLogAsync(long streamId, int shardIndex, int leaderEpoch, CancellationToken cancellationToken, bool forAppend = false) =>
        (await GetLeaderAsync(streamId, shardIndex, leaderEpoch, cancellationToken, forAppend)).Log;

    /// <summary>
    /// The leader state of a shard this node leads at <paramref name="leaderEpoch"/>, made on first use (which stops
    /// following the shard first); for an append (<paramref name="forAppend"/>) the shard must also be open.
    /// </summary>
    public async ValueTask<LeaderReplica> GetLeaderAsync(long streamId, int shardIndex, int leaderEpoch, CancellationToken cancellationToken, bool forAppend = false)
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

        var key = (streamId, shardIndex);
        if (_leaders.TryGetValue(key, out var leader) && leader.LeaderEpoch == assignment.LeaderEpoch && !leader.IsStopped)
        {
            leader.Update(assignment);
        }
        else
        {
            leader = await BecomeLeaderAsync(assignment, cancellationToken);
        }

        ApplyEncryption(leader.Log, assignment, forAppend);
        return leader;
    }

    /// <summary>
    /// Starts leading a shard at the assignment's epoch: the follower side lets go of the log first, so no
    /// replicated append can land after the first leader append.
    /// </summary>
    private async ValueTask<LeaderReplica> BecomeLeaderAsync(ShardAssignment assignment, CancellationToken cancellationToken)
    {
        var key = (assignment.StreamId, assignment.ShardIndex);
        var shard = LogName(assignment.StreamId, assignment.ShardIndex);
        var nodeEpoch = heartbeat.NodeEpoch;
        var self = Array.IndexOf(assignment.Isr, _node.Id);
        if (nodeEpoch == 0 || self < 0 || (self < assignment.IsrNodeEpochs.Length && assignment.IsrNodeEpochs[self] != nodeEpoch))
        {
            // KIP-903: the ISR entry is of an earlier incarnation of this node; the controller re-elects (this node
            // or another in-sync replica) under a new leader epoch before this node may lead again.
            throw StorageErrors.Unavailable($"This node restarted and is waiting for the controller to confirm it as the leader of {shard}; retry.");
        }

        var gate = _transitions.GetOrAdd(key, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (_leaders.TryGetValue(key, out var current) && current.LeaderEpoch == assignment.LeaderEpoch && !current.IsStopped)
            {
                return current;
            }

            // A leader at an older epoch here is replaced without being stopped: this node keeps leading the same
            // log (a reshard closing the shard, or the controller confirming this node after a restart), so
            // acks=all appends written at the older epoch still complete when the high watermark covers them.

            await fetchers.UnfollowAsync(assignment.StreamId, assignment.ShardIndex);
            var log = logs.GetOrOpen(LogName(assignment.StreamId, assignment.ShardIndex), logSettings.Value.ToLogOptions(assignment.RetentionHours));
            ApplyEncryption(log, assignment, forAppend: false);
            var continues = current is { IsStopped: false };
            var producers = continues ? current!.Producers : await RebuildProducersAsync(log, shard, cancellationToken);
            var leader = new LeaderReplica(assignment, _node.Id, log, producers, timeProvider.GetUtcNow(), continuesOwnLeadership: continues);
            _leaders[key] = leader;

            // Followers fetch each group as soon as it is written, so their write and sync overlap this node's sync.
            log.Written = () =>
            {
                if (!leader.IsStopped)
                {
                    fetchSignals.Notify(leader.Assignment.Replicas, _node.Id);
                }
            };
            leader.UpdateHighWatermark();
            LogLeading(logger, assignment.StreamId, assignment.ShardIndex, assignment.LeaderEpoch, log.LogEndOffset, log.HighWatermark, assignment.Isr);
            return leader;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The idempotent producers' state from the tail of the log, read before the first append of this leader epoch
    /// (the follower side has let go of the log, so nothing is appended meanwhile).
    /// </summary>
    private async ValueTask<ProducerStateTable> RebuildProducersAsync(PartitionLog log, string shard, CancellationToken cancellationToken)
    {
        var options = replicationOptions.Value;
        try
        {
            var producers = await ProducerStateTable.RebuildAsync(log, options.ProducerStateRebuildBatches, options.MaxProducersPerShard, cancellationToken);
            LogProducersRebuilt(logger, shard, producers.ProducerCount, options.ProducerStateRebuildBatches);
            return producers;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or ObjectDisposedException)
        {
            throw StorageErrors.Unavailable($"The replica of {shard} cannot rebuild its idempotent producer state: {ex.Message}");
        }
    }

    /// <summary>The leader state of a shard this node leads now, if any.</summary>
    public LeaderReplica? TryGetLeader(long streamId, int shardIndex) => _leaders.TryGetValue((streamId, shardIndex), out var leader) ? leader : null;

    /// <summary>Stops leading a shard (a newer epoch, another leader, or the replica going away).</summary>
    public void StepDown(long streamId, int shardIndex, string reason)
    {
        if (_leaders.TryRemove((streamId, shardIndex), out var leader))
        {
            leader.Stop();
            LogSteppedDown(logger, streamId, shardIndex, leader.LeaderEpoch, reason);
        }
    }

    /// <summary>
    /// Takes an assignment read by the role sync: caches it when newer, steps down from a shard this node no longer
    /// leads at that epoch, updates the ISR a leader knows, and follows the leader otherwise.
    /// </summary>
    public async ValueTask ApplyAsync(ShardAssignment assignment, CancellationToken cancellationToken)
    {
        var key = (assignment.StreamId, assignment.ShardIndex);
        if (IsRemoved(assignment.StreamId, assignment.ShardIndex))
        {
            return;
        }

        var stored = Store(assignment);
        if (stored.LeaderEpoch != assignment.LeaderEpoch || stored.PartitionEpoch != assignment.PartitionEpoch)
        {
            // A newer one is cached already: act on that one next round.
            return;
        }

        var leads = string.Equals(assignment.LeaderNodeId, _node.Id, StringComparison.Ordinal);
        if (_leaders.TryGetValue(key, out var leader) && !leads)
        {
            StepDown(assignment.StreamId, assignment.ShardIndex, $"the leader is now {assignment.LeaderNodeId ?? "none (offline)"}");
            leader = null;
        }
        else if (leader is not null && leader.LeaderEpoch != assignment.LeaderEpoch)
        {
            // Re-elected at a newer epoch: led on by a fresh state (below), the old one's waits still complete.
            leader = null;
        }

        if (leads)
        {
            if (leader is not null)
            {
                leader.Update(assignment);
                return;
            }

            try
            {
                await GetLeaderAsync(assignment.StreamId, assignment.ShardIndex, assignment.LeaderEpoch, cancellationToken);
            }
            catch (Grpc.Core.RpcException)
            {
                // Not ready to lead yet (waiting for re-election after a restart): the next round tries again.
            }

            return;
        }

        if (assignment.LeaderNodeId is not null && Array.IndexOf(assignment.Replicas, _node.Id) >= 0)
        {
            await fetchers.FollowAsync(assignment, cancellationToken);

            // A follower stores sealed batches as they come; it needs the key to shorten one when it truncates.
            if (logs.TryGet(LogName(assignment.StreamId, assignment.ShardIndex), out var followed))
            {
                ApplyEncryption(followed, assignment, forAppend: false);
            }
        }
        else
        {
            // Offline (no live in-sync replica) or no longer a replica here: nothing to follow.
            await fetchers.UnfollowAsync(assignment.StreamId, assignment.ShardIndex);
        }
    }

    /// <summary>Lets go of a shard entirely (its replica is leaving this node): no leading, no following.</summary>
    public async ValueTask ReleaseAsync(long streamId, int shardIndex, string reason)
    {
        StepDown(streamId, shardIndex, reason);
        await fetchers.UnfollowAsync(streamId, shardIndex);
        Forget(streamId, shardIndex);
    }

    /// <summary>
    /// Changes the ISR of a shard this node leads by compare-and-set in PostgreSQL. On success the leader takes the
    /// new state; when the CAS fails the state is re-read, and a leader that is no longer the leader at its epoch
    /// steps down.
    /// </summary>
    public async Task ChangeIsrAsync(LeaderReplica leader, IReadOnlyList<IsrMember> isr, string reason, CancellationToken cancellationToken)
    {
        if (!leader.TryBeginIsrChange())
        {
            return;
        }

        try
        {
            var expected = leader.Assignment;
            var changed = await partitions.TryChangeIsrAsync(expected.StreamId, expected.ShardIndex, _node.Id, expected.LeaderEpoch, expected.PartitionEpoch, isr, cancellationToken);
            if (changed is not null)
            {
                Store(changed);
                leader.Update(changed);
                LogIsrChanged(logger, expected.StreamId, expected.ShardIndex, expected.Isr, changed.Isr, changed.PartitionEpoch, reason);
                return;
            }

            _assignments.TryGetValue((expected.StreamId, expected.ShardIndex), out var cached);
            var fresh = await FetchAsync(expected.StreamId, expected.ShardIndex, cached, cancellationToken);
            if (fresh is null || !string.Equals(fresh.LeaderNodeId, _node.Id, StringComparison.Ordinal) || fresh.LeaderEpoch != leader.LeaderEpoch)
            {
                StepDown(expected.StreamId, expected.ShardIndex, "its ISR compare-and-set failed: another leader or epoch took over");
            }
            else
            {
                leader.Update(fresh);
            }
        }
        catch (Exception ex) when (MetadataDatabase.IsTransient(ex))
        {
            // PostgreSQL is down: the ISR stays as it is (acks=all appends wait); tried again next round.
        }
        finally
        {
            leader.EndIsrChange();
        }
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
        var leader = await GetLeaderAsync(streamId, shardIndex, leaderEpoch, cancellationToken);
        var log = leader.Log;

        // The end is only final once the in-sync replicas hold all of it: a reader of the closed shard reads to the
        // high watermark, and a new leader must have every record before the end.
        var end = log.LogEndOffset;
        leader.UpdateHighWatermark();
        if (!await log.WaitForHighWatermarkAsync(end, replicationOptions.Value.AckTimeout, cancellationToken))
        {
            throw StorageErrors.Unavailable($"Shard {shard} is closed but its in-sync replicas have not caught up to its end {end} yet; retry.");
        }

        LogSealed(logger, streamId, shardIndex, end);
        return end;
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
        try
        {
            var fresh = await catalog.FindShardAsync(streamId, shardIndex, cancellationToken);
            if (fresh is null)
            {
                _assignments.TryRemove(key, out _);
                return null;
            }

            return Store(fresh);
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

    /// <summary>
    /// Caches an assignment unless a newer one is cached, and returns what is cached. Never steps back to an older
    /// leader or partition epoch: a background refresh that read before a reshard committed must not reopen a shard
    /// that a seal has just closed, nor undo an ISR change.
    /// </summary>
    private ShardAssignment Store(ShardAssignment fresh)
    {
        var stored = _assignments.AddOrUpdate((fresh.StreamId, fresh.ShardIndex),
            static (_, added) => added,
            static (_, current, added) => IsNewer(added.Assignment, current.Assignment) ? added : current,
            new CachedAssignment(fresh, timeProvider.GetUtcNow()));
        return stored.Assignment;
    }

    private static bool IsNewer(ShardAssignment candidate, ShardAssignment current) =>
        candidate.LeaderEpoch > current.LeaderEpoch
        || (candidate.LeaderEpoch == current.LeaderEpoch && candidate.PartitionEpoch >= current.PartitionEpoch);

    /// <summary>Forgets cached assignments, e.g. after replicas were removed.</summary>
    public void Forget(long streamId, int shardIndex) => _assignments.TryRemove((streamId, shardIndex), out _);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leading {StreamId}/{ShardIndex} at leader epoch {LeaderEpoch}: log end {LogEndOffset}, high watermark {HighWatermark}, ISR [{Isr}]")]
    private static partial void LogLeading(ILogger logger, long streamId, int shardIndex, int leaderEpoch, long logEndOffset, long highWatermark, string[] isr);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rebuilt the state of {ProducerCount} idempotent producer(s) of {Shard} from at most its last {MaxBatches} batches")]
    private static partial void LogProducersRebuilt(ILogger logger, string shard, int producerCount, int maxBatches);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stepped down as leader of {StreamId}/{ShardIndex} at leader epoch {LeaderEpoch}: {Reason}")]
    private static partial void LogSteppedDown(ILogger logger, long streamId, int shardIndex, int leaderEpoch, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "ISR of {StreamId}/{ShardIndex} changed from {From} to {To} (partition epoch {PartitionEpoch}): {Reason}")]
    private static partial void LogIsrChanged(ILogger logger, long streamId, int shardIndex, string[] from, string[] to, int partitionEpoch, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sealed closed shard {StreamId}/{ShardIndex} at log end offset {LogEndOffset}")]
    private static partial void LogSealed(ILogger logger, long streamId, int shardIndex, long logEndOffset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metadata store unreachable; using the cached assignment of shard {StreamId}/{ShardIndex}: {Reason}")]
    private static partial void LogUsingCachedAssignment(ILogger logger, long streamId, int shardIndex, string reason);

    private sealed record CachedAssignment(ShardAssignment Assignment, DateTimeOffset FetchedAt);
}
