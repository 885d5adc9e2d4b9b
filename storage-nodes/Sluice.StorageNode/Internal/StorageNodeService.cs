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

            var producer = ToProducerBatch(append);
            var leader = await replicas.GetLeaderAsync(append.StreamId, append.ShardIndex, append.LeaderEpoch, cancellationToken, forAppend: true);
            if (append.Encryption != EncryptionHint.Unspecified
                && (append.Encryption == EncryptionHint.Encrypted) != replicas.IsEncrypting(append.StreamId, append.ShardIndex))
            {
                leader = await replicas.RefreshLeaderAsync(append.StreamId, append.ShardIndex, append.LeaderEpoch, cancellationToken);
            }

            var assignment = leader.Assignment;
            var waitForIsr = append.Acks == Acks.All || (append.Acks == Acks.Default && assignment.DefaultAcks == AckMode.All);
            if (producer.ProducerId <= 0)
            {
                return await WriteAsync(leader, append, producer, waitForIsr, cancellationToken);
            }

            var check = await leader.Producers.BeginAsync(producer.ProducerId, producer.ProducerEpoch, producer.BaseSequence, cancellationToken);
            switch (check.Decision)
            {
                case ProducerAppendDecision.Duplicate:
                    return await AnswerDuplicateAsync(leader, append, check.Batch, waitForIsr, cancellationToken);
                case ProducerAppendDecision.TooOld:
                    throw StorageErrors.DuplicateSequence(ReplicaManager.LogName(append.StreamId, append.ShardIndex), producer.ProducerId, producer.BaseSequence, check.OldestKept);
                case ProducerAppendDecision.Fenced:
                    throw StorageErrors.ProducerFenced(ReplicaManager.LogName(append.StreamId, append.ShardIndex), producer.ProducerId, producer.ProducerEpoch, check.CurrentEpoch);
            }

            var written = false;
            try
            {
                return await WriteAsync(leader, append, producer, waitForIsr, cancellationToken, batch =>
                {
                    leader.Producers.Complete(producer.ProducerId, producer.ProducerEpoch, batch);
                    written = true;
                });
            }
            finally
            {
                if (!written)
                {
                    leader.Producers.Abandon(producer.ProducerId, producer.BaseSequence);
                }
            }
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
    /// Writes the append as one batch and waits for its acks. <paramref name="onDurable"/> learns the batch as soon as
    /// the log has it durably, before the acks wait (an idempotent producer's retry must find it from then on).
    /// </summary>
    private async Task<ShardAppendResult> WriteAsync(
        LeaderReplica leader, ShardAppend append, ProducerBatch producer, bool waitForIsr, CancellationToken cancellationToken, Action<ProducerBatchEntry>? onDurable = null)
    {
        var log = leader.Log;
        var assignment = leader.Assignment;
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
            // An idempotent append must learn whether it was written, whatever its caller does: a write abandoned
            // half-way by a cancelled call would let the retry write the same records again.
            result = await log.AppendEncodedAsync(chunks, append.LeaderEpoch, producer, onDurable is null ? cancellationToken : CancellationToken.None);
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

        // The followers were woken when the batch was written (PartitionLog.Written), and may hold it already.
        onDurable?.Invoke(new ProducerBatchEntry(producer.BaseSequence, result.BaseOffset, result.Count, result.TimestampMs));
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

    /// <summary>
    /// A retry of an idempotent append the log has already: the first batch's result, once it is committed as the
    /// retry's acks ask (the first attempt may have timed out waiting for the in-sync replicas).
    /// </summary>
    private async Task<ShardAppendResult> AnswerDuplicateAsync(LeaderReplica leader, ShardAppend append, ProducerBatchEntry batch, bool waitForIsr, CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var chunk in append.RecordChunks)
        {
            if (!RecordBody.TryCount(chunk.Span, out var inChunk))
            {
                throw StorageErrors.InvalidArgument($"The append to {append.StreamId}/{append.ShardIndex} carries a malformed record chunk.");
            }

            count += inChunk;
        }

        if (count != batch.RecordCount)
        {
            throw StorageErrors.InvalidArgument(
                $"Sequence {append.BaseSequence} of producer {append.ProducerId} was written to {append.StreamId}/{append.ShardIndex} with {batch.RecordCount} record(s); a retry must carry the same records, not {count}.");
        }

        if (waitForIsr)
        {
            await WaitForIsrAsync(leader, batch.EndOffset, cancellationToken);
        }

        LogDuplicateAnswered(logger, append.ProducerId, append.BaseSequence, append.StreamId, append.ShardIndex, batch.BaseOffset);
        return new ShardAppendResult
        {
            BaseOffset = batch.BaseOffset,
            RecordCount = batch.RecordCount,
            TimestampMs = batch.TimestampMs,
            LogEndOffset = leader.Log.LogEndOffset,
        };
    }

    private static ProducerBatch ToProducerBatch(ShardAppend append)
    {
        if (append.ProducerId == 0)
        {
            return ProducerBatch.None;
        }

        if (append.ProducerId < 0 || append.BaseSequence < 0 || append.ProducerEpoch < 0 || append.ProducerEpoch > short.MaxValue)
        {
            throw StorageErrors.InvalidArgument(
                $"Producer id {append.ProducerId}, epoch {append.ProducerEpoch} and sequence {append.BaseSequence} are not a valid idempotent append: the id must be positive, the epoch 0..{short.MaxValue}, the sequence at least 0.");
        }

        return new ProducerBatch(append.ProducerId, (short)append.ProducerEpoch, append.BaseSequence);
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Producer {ProducerId} resent sequence {Sequence} to {StreamId}/{ShardIndex}: answered with the batch at offset {BaseOffset}, nothing written")]
    private static partial void LogDuplicateAnswered(ILogger logger, long producerId, int sequence, long streamId, int shardIndex, long baseOffset);

    [LoggerMessage(Level = LogLevel.Error, Message = "Append to {StreamId}/{ShardIndex} failed")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, long streamId, int shardIndex);
}
