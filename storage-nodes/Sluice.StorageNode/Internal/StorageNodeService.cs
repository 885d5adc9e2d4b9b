using Google.Protobuf;
using Grpc.Core;
using Sluice.Log;
using Sluice.Metadata.Model;
using Sluice.Storage.V1;

namespace Sluice.StorageNode.Internal;

/// <summary>The internal gRPC contract: appends to and reads from the shard logs this node leads.</summary>
internal sealed partial class StorageNodeService(ReplicaManager replicas, TimeProvider timeProvider, ILogger<StorageNodeService> logger) : Sluice.Storage.V1.StorageNode.StorageNodeBase
{
    private const int DefaultMaxRecords = 1000;
    private const int DefaultMaxBytes = 4 * 1024 * 1024;
    private const int MaxReadBytes = 10 * 1024 * 1024;
    private const int MaxRecordsPerRead = 10_000;
    private const int MaxWaitMs = 10_000;

    public override async Task<AppendResponse> Append(AppendRequest request, ServerCallContext context)
    {
        if (request.Shards.Count == 0)
        {
            throw StorageErrors.InvalidArgument("An append must name at least one shard.");
        }

        var response = new AppendResponse();
        if (request.Shards.Count == 1)
        {
            response.Results.Add(await AppendShardAsync(request.Shards[0], context.CancellationToken));
            return response;
        }

        // Shards append in parallel: each has its own writer, and their fsyncs share rounds.
        var appends = new Task<ShardAppendResult>[request.Shards.Count];
        for (var i = 0; i < appends.Length; i++)
        {
            appends[i] = AppendShardAsync(request.Shards[i], context.CancellationToken);
        }

        response.Results.Add(await Task.WhenAll(appends));
        return response;
    }

    /// <summary>One shard's part of an append; a refusal becomes the shard's error, never the call's.</summary>
    private async Task<ShardAppendResult> AppendShardAsync(ShardAppend append, CancellationToken cancellationToken)
    {
        var gate = replicas.WriteGate(append.StreamId, append.ShardIndex);
        gate.Enter();
        try
        {
            if (append.RecordChunks.Count == 0)
            {
                throw StorageErrors.InvalidArgument($"The append to {append.StreamId}/{append.ShardIndex} carries no record.");
            }

            var leader = await replicas.GetLeaderAsync(append.StreamId, append.ShardIndex, append.LeaderEpoch, cancellationToken, forAppend: true);
            var log = leader.Log;
            var assignment = leader.Assignment;
            var waitForIsr = append.Acks == Acks.All || (append.Acks == Acks.Default && assignment.DefaultAcks == AckMode.All);
            if (waitForIsr && assignment.Isr.Length < assignment.MinInSyncReplicas)
            {
                throw StorageErrors.NotEnoughReplicas(ReplicaManager.LogName(append.StreamId, append.ShardIndex), assignment.Isr.Length, assignment.MinInSyncReplicas);
            }

            var chunks = new ReadOnlyMemory<byte>[append.RecordChunks.Count];
            for (var i = 0; i < chunks.Length; i++)
            {
                chunks[i] = append.RecordChunks[i].Memory;
            }

            AppendResult result;
            try
            {
                result = await log.AppendEncodedAsync(chunks, append.LeaderEpoch, cancellationToken);
            }
            catch (ArgumentException ex)
            {
                throw StorageErrors.InvalidArgument(ex.Message);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                LogAppendFailed(logger, ex, append.StreamId, append.ShardIndex);
                throw StorageErrors.Unavailable($"The replica of {append.StreamId}/{append.ShardIndex} cannot take writes now: {ex.Message}");
            }

            replicas.Signals.Notify(assignment.Replicas, replicas.NodeId);
            leader.UpdateHighWatermark();
            if (waitForIsr)
            {
                await WaitForIsrAsync(leader, result.BaseOffset + result.Count, cancellationToken);
            }

            return new ShardAppendResult
            {
                BaseOffset = result.BaseOffset,
                RecordCount = result.Count,
                TimestampMs = result.TimestampMs,
                LogEndOffset = result.LogEndOffset,
            };
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            return new ShardAppendResult { Error = StorageErrors.ToShardError(ex) };
        }
        finally
        {
            gate.Exit();
        }
    }

    /// <summary>
    /// acks=all: waits until the high watermark covers the append, then checks that the ISR it was committed by was
    /// at least the minimum (Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND): a leader alone in its ISR advances the high
    /// watermark by itself, and must not call that an acks=all commit.
    /// </summary>
    private async Task WaitForIsrAsync(LeaderReplica leader, long endOffset, CancellationToken cancellationToken)
    {
        var shard = ReplicaManager.LogName(leader.StreamId, leader.ShardIndex);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, leader.Stopping);
        bool committed;
        try
        {
            committed = await leader.Log.WaitForHighWatermarkAsync(endOffset, replicas.Replication.AckTimeout, linked.Token);
        }
        catch (OperationCanceledException) when (leader.IsStopped && !cancellationToken.IsCancellationRequested)
        {
            // Written here but no longer led from here: the new leader may or may not have it. Never a not-leader
            // (which tells the gateway nothing was written, so it would send the records again).
            throw StorageErrors.ReplicationTimeout(shard, endOffset);
        }

        if (!committed)
        {
            throw StorageErrors.ReplicationTimeout(shard, endOffset);
        }

        var assignment = leader.Assignment;
        if (assignment.Isr.Length < assignment.MinInSyncReplicas)
        {
            throw StorageErrors.NotEnoughReplicasAfterAppend(shard, assignment.Isr.Length, assignment.MinInSyncReplicas);
        }
    }

    public override async Task<ReadResponse> Read(ReadRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var leader = await replicas.GetLeaderAsync(request.StreamId, request.ShardIndex, request.LeaderEpoch, cancellationToken);
        var log = leader.Log;
        if (log.HighWatermark < leader.ReadableFrom)
        {
            // KIP-207: a leader just elected learns the high watermark from its followers' next fetches. Until it
            // covers what the leader held when elected, the end it would report may be behind the end the previous
            // leader reported: readers would see the shard go back. Retriable, and brief.
            throw StorageErrors.Unavailable($"The leader of {request.StreamId}/{request.ShardIndex} was just elected and is confirming its committed records; retry.");
        }

        var maxRecords = request.MaxRecords <= 0 ? DefaultMaxRecords : Math.Min(request.MaxRecords, MaxRecordsPerRead);
        var maxBytes = request.MaxBytes <= 0 ? DefaultMaxBytes : Math.Min(request.MaxBytes, MaxReadBytes);

        // Readers see only what the in-sync replicas hold: records up to the high watermark. An offset between the
        // high watermark and the log end (an acks=leader record a producer knows of) waits like the end does.
        var offset = request.StartCase switch
        {
            ReadRequest.StartOneofCase.Offset => request.Offset,
            ReadRequest.StartOneofCase.TimestampMs => Math.Min(await log.FindOffsetByTimestampAsync(request.TimestampMs, cancellationToken), log.HighWatermark),
            ReadRequest.StartOneofCase.Latest => log.HighWatermark,
            _ => log.LogStartOffset,
        };

        if (offset < log.LogStartOffset)
        {
            throw StorageErrors.OffsetTrimmed(offset, log.LogStartOffset);
        }

        if (offset > log.LogEndOffset)
        {
            throw StorageErrors.OffsetBeyondEnd(offset, log.LogEndOffset);
        }

        if (offset >= log.HighWatermark && request.MaxWaitMs > 0)
        {
            await log.WaitForHighWatermarkAsync(offset + 1, TimeSpan.FromMilliseconds(Math.Min(request.MaxWaitMs, MaxWaitMs)), cancellationToken);
        }

        ReadResult result;
        try
        {
            result = await log.ReadAsync(offset, maxRecords, maxBytes, log.HighWatermark, cancellationToken);
        }
        catch (OffsetOutOfRangeException ex)
        {
            throw ex.RequestedOffset < ex.LogStartOffset
                ? StorageErrors.OffsetTrimmed(ex.RequestedOffset, ex.LogStartOffset)
                : StorageErrors.OffsetBeyondEnd(ex.RequestedOffset, ex.LogEndOffset);
        }

        var response = new ReadResponse
        {
            NextOffset = result.NextOffset,
            LogStartOffset = result.LogStartOffset,
            LogEndOffset = Math.Max(result.NextOffset, log.HighWatermark),
            LastTimestampMs = result.LastTimestampMs,
        };
        var stored = result.Records;
        if (stored.Count > 0)
        {
            // One buffer for the whole read, owned by this response.
            var chunk = new byte[ReadChunk.Measure(stored)];
            ReadChunk.Write(chunk, stored);
            response.Records = UnsafeByteOperations.UnsafeWrap(chunk);
            response.RecordCount = stored.Count;
            response.FirstOffset = stored[0].Offset;
            response.LastReturnedTimestampMs = stored[^1].TimestampMs;
        }

        return response;
    }

    public override async Task<ShardInfoResponse> GetShardInfo(ShardInfoRequest request, ServerCallContext context)
    {
        var assignment = await replicas.GetAssignmentAsync(request.StreamId, request.ShardIndex, 0, context.CancellationToken)
            ?? throw StorageErrors.UnknownShard($"{request.StreamId}/{request.ShardIndex}");
        var log = await replicas.GetLeaderLogAsync(request.StreamId, request.ShardIndex, assignment.LeaderEpoch, context.CancellationToken);
        return new ShardInfoResponse
        {
            LogStartOffset = log.LogStartOffset,
            LogEndOffset = log.LogEndOffset,
            LeaderEpoch = assignment.LeaderEpoch,
            HighWatermark = log.HighWatermark,
        };
    }

    public override async Task<SealShardResponse> SealShard(SealShardRequest request, ServerCallContext context)
    {
        var end = await replicas.SealAsync(request.StreamId, request.ShardIndex, request.LeaderEpoch, context.CancellationToken);
        return new SealShardResponse { LogEndOffset = end };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Append to {StreamId}/{ShardIndex} failed")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, long streamId, int shardIndex);
}
