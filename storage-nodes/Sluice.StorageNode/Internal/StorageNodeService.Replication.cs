using Google.Protobuf;
using Grpc.Core;
using Sluice.Log;
using Sluice.Storage.V1;

namespace Sluice.StorageNode.Internal;

// The leader side of replication: followers fetch batches and ask where epochs end.
internal sealed partial class StorageNodeService
{
    private const int MaxFetchWaitMs = 10_000;

    public override async Task<FetchResponse> Fetch(FetchRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.ReplicaNodeId) || request.Shards.Count == 0)
        {
            throw StorageErrors.InvalidArgument("A fetch must name its replica node and at least one shard.");
        }

        var cancellationToken = context.CancellationToken;
        var follower = request.ReplicaNodeId;
        var maxBytes = request.MaxBytes <= 0 ? replicas.Replication.FetchMaxBytes : Math.Min(request.MaxBytes, replicas.Replication.FetchMaxBytes);
        var wait = TimeSpan.FromMilliseconds(Math.Clamp(request.MaxWaitMs, 0, MaxFetchWaitMs));
        var deadline = timeProvider.GetUtcNow() + wait;
        while (true)
        {
            // The signal's version is read before looking for data, so an append in between wakes the wait below.
            var seen = replicas.Signals.Version(follower);
            var response = new FetchResponse();
            var any = false;
            var budget = maxBytes;
            foreach (var shard in request.Shards)
            {
                var result = await FetchShardAsync(request, shard, budget, cancellationToken);
                any |= !result.Batches.IsEmpty || result.Error is not null;
                budget = Math.Max(0, budget - result.Batches.Length);
                response.Shards.Add(result);
            }

            var remaining = deadline - timeProvider.GetUtcNow();
            if (any || remaining <= TimeSpan.Zero)
            {
                return response;
            }

            await replicas.Signals.WaitAsync(follower, seen, remaining, cancellationToken);
            if (timeProvider.GetUtcNow() >= deadline && replicas.Signals.Version(follower) == seen)
            {
                return response;
            }
        }
    }

    /// <summary>One shard's part of a fetch; a refusal becomes the shard's error, never the call's.</summary>
    private async Task<ShardFetchResult> FetchShardAsync(FetchRequest request, ShardFetch fetch, int budget, CancellationToken cancellationToken)
    {
        try
        {
            var leader = await replicas.GetLeaderAsync(fetch.StreamId, fetch.ShardIndex, fetch.LeaderEpoch, cancellationToken);
            var log = leader.Log;
            if (fetch.FetchOffset < log.LogStartOffset)
            {
                throw StorageErrors.OffsetTrimmed(fetch.FetchOffset, log.LogStartOffset);
            }

            // Followers fetch what is written, ahead of its sync here (PartitionLog.WrittenEndOffset).
            var writtenEnd = log.WrittenEndOffset;
            if (fetch.FetchOffset > writtenEnd)
            {
                throw StorageErrors.OffsetBeyondEnd(fetch.FetchOffset, writtenEnd);
            }

            // The fetch offset acknowledges what the follower holds durably: it may move the high watermark, and may
            // bring the follower back into the ISR (KIP-903: only with the node epoch it is registered with now).
            if (leader.RecordFetch(request.ReplicaNodeId, request.ReplicaNodeEpoch, fetch.FetchOffset, timeProvider.GetUtcNow())
                && replicas.KnownNodeEpochs.TryGetValue(request.ReplicaNodeId, out var registered)
                && registered == request.ReplicaNodeEpoch)
            {
                var joining = new Sluice.Metadata.IsrMember(request.ReplicaNodeId, request.ReplicaNodeEpoch);
                _ = replicas.ChangeIsrAsync(leader, IsrMembers.With(leader.Assignment, joining), $"{request.ReplicaNodeId} caught up to the high watermark", CancellationToken.None);
            }

            var result = new ShardFetchResult
            {
                LogStartOffset = log.LogStartOffset,
                LogEndOffset = log.LogEndOffset,
            };
            if (fetch.FetchOffset < writtenEnd)
            {
                var maxBytes = Math.Min(fetch.MaxBytes <= 0 ? replicas.Replication.FetchMaxBytesPerShard : fetch.MaxBytes, Math.Max(budget, 1));
                using var batches = await log.ReadBatchesAsync(fetch.FetchOffset, maxBytes, includeUnsynced: true, cancellationToken);
                result.Batches = ByteString.CopyFrom(batches.Bytes.Span);
            }

            result.HighWatermark = log.HighWatermark;
            return result;
        }
        catch (ArgumentException)
        {
            // Not a batch boundary here: the follower's log diverged from ours.
            return new ShardFetchResult { Error = StorageErrors.ToShardError(StorageErrors.OffsetBeyondEnd(fetch.FetchOffset, -1)) };
        }
        catch (OffsetOutOfRangeException ex)
        {
            var error = ex.RequestedOffset < ex.LogStartOffset
                ? StorageErrors.OffsetTrimmed(ex.RequestedOffset, ex.LogStartOffset)
                : StorageErrors.OffsetBeyondEnd(ex.RequestedOffset, ex.LogEndOffset);
            return new ShardFetchResult { Error = StorageErrors.ToShardError(error), LogStartOffset = ex.LogStartOffset };
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // This shard's log cannot be read now (being removed, a disk error): the others of the session go on.
            return new ShardFetchResult { Error = StorageErrors.ToShardError(StorageErrors.Unavailable($"{fetch.StreamId}/{fetch.ShardIndex}: {ex.Message}")) };
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            var result = new ShardFetchResult { Error = StorageErrors.ToShardError(ex) };
            if (ex.Trailers.GetValue(StorageErrors.TrailerKey) == "offset-trimmed"
                && replicas.TryGetLeader(fetch.StreamId, fetch.ShardIndex) is { } leader)
            {
                result.LogStartOffset = leader.Log.LogStartOffset;
            }

            return result;
        }
    }

    public override async Task<OffsetForLeaderEpochResponse> OffsetForLeaderEpoch(OffsetForLeaderEpochRequest request, ServerCallContext context)
    {
        var leader = await replicas.GetLeaderAsync(request.StreamId, request.ShardIndex, request.LeaderEpoch, context.CancellationToken);
        var log = leader.Log;
        var end = request.RequestedEpoch < 0 ? EpochEndOffset.Undefined : log.EndOffsetForEpoch(request.RequestedEpoch);
        return new OffsetForLeaderEpochResponse
        {
            Epoch = end.Epoch,
            EndOffset = end.EndOffset,
            LogStartOffset = log.LogStartOffset,
        };
    }
}
