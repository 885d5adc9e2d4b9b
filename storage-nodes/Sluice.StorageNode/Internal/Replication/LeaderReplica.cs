using Sluice.Log;
using Sluice.Metadata;

namespace Sluice.StorageNode.Internal;

/// <summary>
/// A shard this node leads at one leader epoch: its log, the partition state it last knew (ISR), and how far each
/// follower has durably come. The high watermark is the smallest log end offset over the ISR (the leader's own
/// counts only what it has made durable, which is all its log publishes). A new instance is made for every leader
/// epoch, so follower progress never leaks from an older epoch; its idempotent producer state is rebuilt from the log
/// for each one.
/// </summary>
internal sealed class LeaderReplica : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, FollowerProgress> _progress = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly DateTimeOffset _activatedAt;
    private ShardAssignment _assignment;
    private int _isrChangeInFlight;

    /// <param name="continuesOwnLeadership">
    /// True when this node led the shard up to this epoch itself (a reshard or the controller bumped the epoch): its
    /// high watermark is already the shard's, so reads need not wait for it.
    /// </param>
    public LeaderReplica(ShardAssignment assignment, string selfId, PartitionLog log, ProducerStateTable producers, DateTimeOffset now, bool continuesOwnLeadership = false)
    {
        _assignment = assignment;
        SelfId = selfId;
        Log = log;
        Producers = producers;
        _activatedAt = now;
        EpochStartOffset = log.LogEndOffset;
        ReadableFrom = continuesOwnLeadership ? 0 : log.LogEndOffset;
    }

    /// <summary>
    /// KIP-207: reads wait until the high watermark reaches this (the log end when this node took over from
    /// another), so the end readers see never goes back across a change of leader.
    /// </summary>
    public long ReadableFrom { get; }

    public string SelfId { get; }

    public PartitionLog Log { get; }

    /// <summary>The idempotent producers' last batches on this shard: retries are answered from here.</summary>
    public ProducerStateTable Producers { get; }

    public long StreamId => _assignment.StreamId;

    public int ShardIndex => _assignment.ShardIndex;

    public int LeaderEpoch => _assignment.LeaderEpoch;

    /// <summary>Where this leader's epoch starts: a follower must have come this far before it joins the ISR.</summary>
    public long EpochStartOffset { get; }

    /// <summary>The partition state as this leader last knew it.</summary>
    public ShardAssignment Assignment => Volatile.Read(ref _assignment);

    /// <summary>Cancelled when this node stops leading the shard at this epoch.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public bool IsStopped => _stopping.IsCancellationRequested;

    public void Stop() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();

    /// <summary>Takes a newer partition state of the same leader epoch (an ISR change) and recomputes the high watermark.</summary>
    public void Update(ShardAssignment assignment)
    {
        lock (_lock)
        {
            if (assignment.LeaderEpoch != _assignment.LeaderEpoch || assignment.PartitionEpoch <= _assignment.PartitionEpoch)
            {
                return;
            }

            _assignment = assignment;
        }

        UpdateHighWatermark();
    }

    /// <summary>
    /// Records a follower's fetch at <paramref name="fetchOffset"/> (everything below it is durable there) and
    /// advances the high watermark. True when the follower is out of the ISR and has caught up enough to join it.
    /// Kafka's rule for "caught up": the fetch reached the leader's log end, or it reached the log end the leader had
    /// at the follower's previous fetch (then it was caught up as of that fetch).
    /// </summary>
    public bool RecordFetch(string nodeId, long nodeEpoch, long fetchOffset, DateTimeOffset now)
    {
        var leaderEnd = Log.LogEndOffset;
        bool wantsIsr;
        lock (_lock)
        {
            if (!_progress.TryGetValue(nodeId, out var progress) || progress.NodeEpoch != nodeEpoch)
            {
                // First fetch at this epoch, or a restarted follower (a new node epoch): it starts as not caught up.
                progress = new FollowerProgress { NodeEpoch = nodeEpoch, LastCaughtUpAt = _activatedAt };
                _progress[nodeId] = progress;
            }

            if (fetchOffset >= leaderEnd)
            {
                progress.LastCaughtUpAt = now;
            }
            else if (fetchOffset >= progress.LeaderEndAtLastFetch && progress.LastFetchAt > progress.LastCaughtUpAt)
            {
                progress.LastCaughtUpAt = progress.LastFetchAt;
            }

            progress.EndOffset = fetchOffset;
            progress.LastFetchAt = now;
            progress.LeaderEndAtLastFetch = leaderEnd;
            wantsIsr = Array.IndexOf(_assignment.Isr, nodeId) < 0
                && Array.IndexOf(_assignment.Replicas, nodeId) >= 0
                && fetchOffset >= Log.HighWatermark
                && fetchOffset >= EpochStartOffset;
        }

        UpdateHighWatermark();
        return wantsIsr;
    }

    /// <summary>Advances the high watermark to the smallest durable log end over the ISR.</summary>
    public void UpdateHighWatermark()
    {
        var hw = Log.LogEndOffset;
        lock (_lock)
        {
            foreach (var member in _assignment.Isr)
            {
                if (string.Equals(member, SelfId, StringComparison.Ordinal))
                {
                    continue;
                }

                // A member that has not fetched from this leader yet holds the high watermark where it is.
                hw = _progress.TryGetValue(member, out var progress) ? Math.Min(hw, progress.EndOffset) : Math.Min(hw, Log.HighWatermark);
            }
        }

        Log.AdvanceHighWatermark(hw);
    }

    /// <summary>ISR members (other than the leader) that have not caught up for longer than <paramref name="maxLag"/>.</summary>
    public List<string> FindLaggards(TimeSpan maxLag, DateTimeOffset now)
    {
        var laggards = new List<string>();
        lock (_lock)
        {
            foreach (var member in _assignment.Isr)
            {
                if (string.Equals(member, SelfId, StringComparison.Ordinal))
                {
                    continue;
                }

                var caughtUpAt = _progress.TryGetValue(member, out var progress) ? progress.LastCaughtUpAt : _activatedAt;
                if (now - caughtUpAt > maxLag)
                {
                    laggards.Add(member);
                }
            }
        }

        return laggards;
    }

    /// <summary>The node epoch a follower fetched with last, or null when it has not fetched from this leader.</summary>
    public long? FollowerNodeEpoch(string nodeId)
    {
        lock (_lock)
        {
            return _progress.TryGetValue(nodeId, out var progress) ? progress.NodeEpoch : null;
        }
    }

    /// <summary>Admits one ISR change at a time; <see cref="EndIsrChange"/> releases it.</summary>
    public bool TryBeginIsrChange() => Interlocked.CompareExchange(ref _isrChangeInFlight, 1, 0) == 0;

    public void EndIsrChange() => Volatile.Write(ref _isrChangeInFlight, 0);

    private sealed class FollowerProgress
    {
        public long NodeEpoch { get; init; }

        public long EndOffset { get; set; }

        public DateTimeOffset LastFetchAt { get; set; }

        public long LeaderEndAtLastFetch { get; set; }

        public DateTimeOffset LastCaughtUpAt { get; set; }
    }
}
