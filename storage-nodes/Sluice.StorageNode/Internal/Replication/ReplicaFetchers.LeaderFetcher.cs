using Grpc.Core;
using Sluice.Log;
using Sluice.Storage.V1;

namespace Sluice.StorageNode.Internal;

internal sealed partial class ReplicaFetchers
{
    /// <summary>The fetch loop for every shard followed from one leader node.</summary>
    private sealed class LeaderFetcher : IAsyncDisposable
    {
        private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(50);
        private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

        private readonly ReplicaFetchers _owner;
        private readonly string _leaderNodeId;
        private readonly Lock _lock = new();
        private readonly List<FollowedShard> _shards = [];
        private readonly Task _loop;
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LeaderFetcher(ReplicaFetchers owner, string leaderNodeId)
        {
            _owner = owner;
            _leaderNodeId = leaderNodeId;
            _loop = Task.Run(RunAsync);
        }

        public void Add(FollowedShard shard)
        {
            lock (_lock)
            {
                _shards.Add(shard);
                _changed.TrySetResult();
            }
        }

        public void Remove(FollowedShard shard)
        {
            lock (_lock)
            {
                _shards.Remove(shard);
            }
        }

        public async ValueTask DisposeAsync()
        {
            lock (_lock)
            {
                _changed.TrySetResult();
            }

            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        private FollowedShard[] Snapshot(out Task changed)
        {
            lock (_lock)
            {
                if (_changed.Task.IsCompleted)
                {
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                changed = _changed.Task;
                return [.. _shards.Where(s => !s.IsStale)];
            }
        }

        private async Task RunAsync()
        {
            var stopping = _owner._stopping.Token;
            var options = _owner._options;
            var backoff = MinBackoff;
            while (!stopping.IsCancellationRequested)
            {
                var shards = Snapshot(out var changed);
                if (shards.Length == 0 || _owner._heartbeat.NodeEpoch == 0)
                {
                    await Task.WhenAny(changed, Task.Delay(options.RoleSyncInterval, stopping)).ConfigureAwait(false);
                    continue;
                }

                try
                {
                    var client = await _owner._peers.GetAsync(_leaderNodeId, stopping).ConfigureAwait(false);
                    if (client is null)
                    {
                        await Task.Delay(options.RoleSyncInterval, stopping).ConfigureAwait(false);
                        continue;
                    }

                    foreach (var shard in shards.Where(s => s.NeedsTruncation))
                    {
                        try
                        {
                            await TruncateAsync(client, shard, stopping).ConfigureAwait(false);
                        }
                        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled || !stopping.IsCancellationRequested)
                        {
                            // One shard the leader cannot answer for now (it is not confirmed as leader yet, or is
                            // going away) must not hold up the others of this session: it is tried again later.
                            LogFetchFailed(_owner._logger, _leaderNodeId, $"{shard.Name}: {ex.Status.Detail}");
                            shard.StaleUntilTicks = Environment.TickCount64 + (long)Math.Min(backoff.TotalMilliseconds * 4, MaxBackoff.TotalMilliseconds);
                        }
                    }

                    var ready = shards.Where(s => !s.NeedsTruncation && !s.IsStale && !s.Removed).ToArray();
                    if (ready.Length == 0)
                    {
                        await Task.WhenAny(changed, Task.Delay(backoff, stopping)).ConfigureAwait(false);
                        continue;
                    }

                    var request = new FetchRequest
                    {
                        ReplicaNodeId = _owner._nodeId,
                        ReplicaNodeEpoch = _owner._heartbeat.NodeEpoch,
                        MaxWaitMs = (int)options.FetchMaxWait.TotalMilliseconds,
                        MaxBytes = options.FetchMaxBytes,
                    };
                    foreach (var shard in ready)
                    {
                        request.Shards.Add(new ShardFetch
                        {
                            StreamId = shard.StreamId,
                            ShardIndex = shard.ShardIndex,
                            LeaderEpoch = shard.LeaderEpoch,
                            FetchOffset = shard.Log.LogEndOffset,
                            MaxBytes = options.FetchMaxBytesPerShard,
                        });
                    }

                    var deadline = DateTime.UtcNow + options.FetchMaxWait + TimeSpan.FromSeconds(5);
                    var response = await client.FetchAsync(request, deadline: deadline, cancellationToken: stopping).ConfigureAwait(false);
                    var applies = new Task[ready.Length];
                    for (var i = 0; i < ready.Length; i++)
                    {
                        applies[i] = ApplyAsync(ready[i], response.Shards[i]);
                    }

                    await Task.WhenAll(applies).ConfigureAwait(false);
                    backoff = MinBackoff;
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is RpcException or IOException or HttpRequestException or InvalidOperationException || Sluice.Metadata.MetadataDatabase.IsTransient(ex))
                {
                    // The leader is down or restarting, or PostgreSQL is: retry; the controller moves leadership if
                    // the leader is gone, and the role sync then moves this shard to the new leader's fetcher.
                    LogFetchFailed(_owner._logger, _leaderNodeId, ex.Message);
                    await Task.WhenAny(changed, Task.Delay(backoff, stopping)).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
                }
            }
        }

        /// <summary>
        /// KIP-101/279: asks the leader where our latest epoch ends in its log and truncates there, repeating with the
        /// epoch we are left with until the logs agree; restarts the log at the leader's log start when we hold
        /// nothing the leader still has.
        /// </summary>
        private async Task TruncateAsync(Sluice.Storage.V1.StorageNode.StorageNodeClient client, FollowedShard shard, CancellationToken cancellationToken)
        {
            await shard.Busy.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (shard.Removed)
                {
                    return;
                }

                var log = shard.Log;
                for (var round = 0; round < 64; round++)
                {
                    var latest = log.LatestEpoch;
                    OffsetForLeaderEpochResponse answer;
                    try
                    {
                        answer = await client.OffsetForLeaderEpochAsync(new OffsetForLeaderEpochRequest
                        {
                            StreamId = shard.StreamId,
                            ShardIndex = shard.ShardIndex,
                            LeaderEpoch = shard.LeaderEpoch,
                            RequestedEpoch = latest,
                        }, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken).ConfigureAwait(false);
                    }
                    catch (RpcException ex) when (ex.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound)
                    {
                        MarkStale(shard);
                        return;
                    }

                    var end = log.LogEndOffset;
                    if (end < answer.LogStartOffset || (latest >= 0 && answer.Epoch < 0))
                    {
                        // Everything we hold is before the leader's log start, or in epochs the leader never had.
                        await log.ResetAsync(answer.LogStartOffset, cancellationToken).ConfigureAwait(false);
                        LogReset(_owner._logger, shard.Name, answer.LogStartOffset);
                        break;
                    }

                    if (latest < 0)
                    {
                        break;
                    }

                    long target;
                    if (answer.Epoch == latest)
                    {
                        target = Math.Min(answer.EndOffset, end);
                    }
                    else
                    {
                        var own = log.EndOffsetForEpoch(answer.Epoch);
                        target = own.Epoch < 0 ? log.LogStartOffset : Math.Min(answer.EndOffset, own.EndOffset);
                    }

                    if (target < end)
                    {
                        if (target < log.LogStartOffset)
                        {
                            await log.ResetAsync(answer.LogStartOffset, cancellationToken).ConfigureAwait(false);
                            LogReset(_owner._logger, shard.Name, answer.LogStartOffset);
                            break;
                        }

                        await log.TruncateToAsync(target, cancellationToken).ConfigureAwait(false);
                        LogTruncated(_owner._logger, shard.Name, end, target);
                    }

                    if (answer.Epoch == latest || target >= end)
                    {
                        break;
                    }
                }

                shard.NeedsTruncation = false;
            }
            finally
            {
                shard.Busy.Release();
            }
        }

        private async Task ApplyAsync(FollowedShard shard, ShardFetchResult result)
        {
            await shard.Busy.WaitAsync().ConfigureAwait(false);
            try
            {
                if (shard.Removed)
                {
                    return;
                }

                if (result.Error is { } error)
                {
                    switch (error.Reason)
                    {
                        case "offset-beyond-end":
                            shard.NeedsTruncation = true;
                            break;
                        case "offset-trimmed":
                            await shard.Log.ResetAsync(result.LogStartOffset).ConfigureAwait(false);
                            LogReset(_owner._logger, shard.Name, result.LogStartOffset);
                            break;
                        case "not-leader" or "stale-epoch" or "unknown-shard":
                            MarkStale(shard);
                            break;
                        default:
                            // Unavailable for now: fetched again next round.
                            break;
                    }

                    return;
                }

                var log = shard.Log;
                if (!result.Batches.IsEmpty)
                {
                    try
                    {
                        await log.AppendBatchesAsync(result.Batches.Memory).ConfigureAwait(false);
                    }
                    catch (InvalidDataException ex)
                    {
                        LogBatchesRefused(_owner._logger, shard.Name, ex.Message);
                        shard.NeedsTruncation = true;
                        return;
                    }
                }

                log.AdvanceHighWatermark(Math.Min(result.HighWatermark, log.LogEndOffset));
            }
            finally
            {
                shard.Busy.Release();
            }
        }

        private void MarkStale(FollowedShard shard)
        {
            shard.StaleUntilTicks = Environment.TickCount64 + (long)_owner._options.RoleSyncInterval.TotalMilliseconds;
            shard.NeedsTruncation = true;
            _owner.StaleAssignment?.Invoke();
        }
    }
}
