using System.Buffers;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Gateway.Observability;
using Sluice.Gateway.Quotas;
using Sluice.Gateway.Routing;
using Sluice.Gateway.Schemas;
using Sluice.Log;
using Sluice.Metadata.Model;
using Sluice.Storage.V1;

namespace Sluice.Gateway.Records;

/// <summary>
/// Puts and gets records for every face: validates (and, for a stream bound to a schema subject, checks each record
/// against the subject's schemas), picks each record's shard by its hash key, and sends one append per shard to the
/// shard's leader, all shards in parallel.
/// </summary>
public sealed partial class RecordService(
    StreamRouter router,
    SchemaCache schemas,
    StorageClients storage,
    ShardSealer sealer,
    QuotaLimiter quotas,
    UsageMeter usage,
    GatewayMetrics metrics,
    IOptions<GatewayOptions> options,
    TimeProvider timeProvider,
    ILogger<RecordService> logger)
{
    private const int DefaultLimit = 1000;
    // A put whose shard a reshard closed is refused once, then re-routed to the children; a third
    // attempt covers a second reshard in between.
    private const int MaxRouteAttempts = 3;
    /// <summary>The storage nodes' machine-readable error reason.</summary>
    internal const string ErrorTrailer = "sluice-error";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, NodeWriteQueue> _queues = new(StringComparer.Ordinal);

    /// <summary>Writes a batch with the stream's default acks; each record succeeds or fails on its own.</summary>
    public Task<PutOutcome> PutAsync(Tenant tenant, string streamName, IReadOnlyList<PutEntry> entries, CancellationToken cancellationToken = default) =>
        PutAsync(tenant, streamName, entries, acks: null, sequenceNumbersRequired: false, producer: null, cancellationToken);

    /// <summary>
    /// Writes a batch; each record succeeds or fails on its own. With acks=all (the default) accepted records are
    /// durable on every in-sync replica on return, with acks=leader on the leader. With acks=none the call returns
    /// once the records are validated and routed: each valid record is reported accepted with its shard but no
    /// sequence number, and a failure later is only logged (Kafka's acks=0). A face whose protocol must answer sequence
    /// numbers (<paramref name="sequenceNumbersRequired"/>: Kinesis) writes an acks=none stream's records with acks=leader.
    /// With <paramref name="producer"/> the put is idempotent: each shard's records go as one batch stamped with the
    /// producer and the call's sequence, and a shard that has that batch already answers its original sequence numbers
    /// instead of writing it again.
    /// </summary>
    public async Task<PutOutcome> PutAsync(
        Tenant tenant, string streamName, IReadOnlyList<PutEntry> entries, AckMode? acks, bool sequenceNumbersRequired, ProducerStamp? producer = null, CancellationToken cancellationToken = default)
    {
        if (entries.Count == 0)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, "A put must carry at least one record.");
        }

        if (entries.Count > Limits.MaxRecordsPerPut)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument,
                $"{entries.Count} records exceed the limit of {Limits.MaxRecordsPerPut} records per request.");
        }

        var keyLengths = ArrayPool<int>.Shared.Rent(entries.Count);
        var hashKeys = ArrayPool<UInt128>.Shared.Rent(entries.Count);
        try
        {
            long totalBytes = 0;
            for (var i = 0; i < entries.Count; i++)
            {
                keyLengths[i] = entries[i].PartitionKey is { } key ? Encoding.UTF8.GetByteCount(key) : 0;
                totalBytes += entries[i].Data.Length + keyLengths[i];
            }

            if (totalBytes > Limits.MaxPutBytes)
            {
                throw new SluiceException(SluiceErrorCode.InvalidArgument,
                    $"The request carries {totalBytes} bytes of data and partition keys, over the limit of {Limits.MaxPutBytes} bytes (5 MiB) per request.");
            }

            var route = await router.GetAsync(tenant, streamName, cancellationToken);
            StreamAvailability.EnsureAcceptsRecords(route, tenant);
            var mode = acks ?? route.Definition.DefaultAcks;
            if (mode == AckMode.None && sequenceNumbersRequired)
            {
                mode = AckMode.Leader;
            }

            var storageAcks = mode == AckMode.All ? Acks.All : Acks.Leader;
            var (schema, schemaFailure) = await SchemaOfAsync(tenant, route, cancellationToken);
            var results = new PutRecordResult[entries.Count];
            var batches = new Dictionary<int, ShardBatch>();
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                if (Validate(entry, keyLengths[i], out var hashKey) is { } error)
                {
                    results[i] = PutRecordResult.Failure(PutRecordResult.InvalidArgument, error);
                    continue;
                }

                if (schemaFailure is { } uncheckable)
                {
                    // Fail closed: a record that cannot be checked is not written.
                    results[i] = uncheckable;
                    continue;
                }

                if (schema is not null && RecordSchemaCheck.Check(schema, entry.Data.Span) is { } violation)
                {
                    results[i] = PutRecordResult.Failure(PutRecordResult.InvalidArgument, violation);
                    continue;
                }

                hashKeys[i] = hashKey;

                var shard = route.FindOpenShard(hashKey);
                if (shard is null)
                {
                    results[i] = PutRecordResult.Failure(PutRecordResult.InternalFailure, $"No open shard of stream {streamName} covers hash key {HashKey.Format(hashKey)}.");
                    continue;
                }

                if (!batches.TryGetValue(shard.Index, out var batch))
                {
                    batch = new ShardBatch(shard.Index, storageAcks, producer);
                    batches.Add(shard.Index, batch);
                }

                batch.Add(i, RecordBody.EncodedLength(keyLengths[i], entry.Data.Length), entry.Data.Length + keyLengths[i]);
            }

            var retryAfter = await AdmitAsync(tenant, route, batches, results, cancellationToken);
            if (mode == AckMode.None)
            {
                foreach (var batch in batches.Values)
                {
                    foreach (var index in batch.Indexes)
                    {
                        results[index] = PutRecordResult.Accepted(batch.ShardIndex);
                    }
                }

                // The hash keys are rented: the background write gets its own copy.
                _ = AppendUnacknowledgedAsync(tenant, route, entries, hashKeys.AsSpan(0, entries.Count).ToArray(), batches);
                Meter(tenant, route.Name, entries, keyLengths, results);
                return new PutOutcome(results) { RetryAfter = retryAfter };
            }

            await AppendAllAsync(tenant, route, entries, hashKeys, batches, results, cancellationToken);
            Meter(tenant, route.Name, entries, keyLengths, results);
            return new PutOutcome(results) { RetryAfter = retryAfter };
        }
        finally
        {
            ArrayPool<int>.Shared.Return(keyLengths);
            ArrayPool<UInt128>.Shared.Return(hashKeys);
        }
    }

    /// <summary>
    /// The schemas a bound stream's records are checked against (none for a stream not bound), or, when they cannot be
    /// read, the retriable failure every record that passed the other checks gets instead.
    /// </summary>
    private async ValueTask<(SubjectSnapshot? Schema, PutRecordResult? Failure)> SchemaOfAsync(Tenant tenant, StreamRoute route, CancellationToken cancellationToken)
    {
        if (route.Definition.SchemaSubject is not { } subject)
        {
            return (null, null);
        }

        try
        {
            return (await schemas.GetAsync(tenant.Id, subject, cancellationToken), null);
        }
        catch (SluiceException ex) when (ex.Code == SluiceErrorCode.Unavailable)
        {
            return (null, PutRecordResult.FromError(ex));
        }
    }

    /// <summary>
    /// Asks the quotas for every shard of the put before anything is written: a refused shard's records fail with
    /// <see cref="PutRecordResult.Throttled"/> and leave the batches, so none of them is written. Returns when the
    /// refused shards have room again (null when none was refused).
    /// </summary>
    private async ValueTask<TimeSpan?> AdmitAsync(Tenant tenant, StreamRoute route, Dictionary<int, ShardBatch> batches, PutRecordResult[] results, CancellationToken cancellationToken)
    {
        if (!quotas.Enabled || batches.Count == 0)
        {
            return null;
        }

        var shards = new ShardWrite[batches.Count];
        var i = 0;
        foreach (var batch in batches.Values)
        {
            shards[i++] = new ShardWrite(batch.ShardIndex, batch.Indexes.Count, batch.DataBytes);
        }

        var verdicts = await quotas.AdmitWriteAsync(tenant, route, shards, cancellationToken);
        if (verdicts is null)
        {
            return null;
        }

        TimeSpan? retryAfter = null;
        var refused = BucketKind.None;
        long refusedRecords = 0;
        for (i = 0; i < shards.Length; i++)
        {
            var verdict = verdicts[i];
            if (verdict.IsAdmitted)
            {
                continue;
            }

            var batch = batches[shards[i].ShardIndex];
            var failure = PutRecordResult.Failure(PutRecordResult.Throttled,
                QuotaLimiter.Message(verdict.RefusedBy, tenant, route.Name, Core.ShardId.Format(batch.ShardIndex)));
            foreach (var index in batch.Indexes)
            {
                results[index] = failure;
            }

            batches.Remove(batch.ShardIndex);
            refusedRecords += batch.Indexes.Count;
            refused = verdict.RefusedBy;
            retryAfter = retryAfter is { } r && r > verdict.RetryAfter ? r : verdict.RetryAfter;
        }

        if (refusedRecords > 0)
        {
            quotas.ReportThrottled(refused, refusedRecords, wholeRequest: batches.Count == 0);
        }

        return retryAfter;
    }

    /// <summary>Adds a put's written (or, with acks=none, accepted) and throttled records to the usage and the metrics.</summary>
    private void Meter(Tenant tenant, string streamName, IReadOnlyList<PutEntry> entries, int[] keyLengths, PutRecordResult[] results)
    {
        long records = 0, bytes = 0, throttled = 0;
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].Succeeded)
            {
                records++;
                bytes += entries[i].Data.Length + keyLengths[i];
            }
            else if (results[i].ErrorCode == PutRecordResult.Throttled)
            {
                throttled++;
            }
        }

        if (records != 0 || throttled != 0)
        {
            usage.AddIn(tenant.Id, streamName, records, bytes, throttled);
            metrics.RecordsIn(records, bytes);
        }
    }

    /// <summary>acks=none: writes in the background, with no caller waiting; failures are logged.</summary>
    private async Task AppendUnacknowledgedAsync(Tenant tenant, StreamRoute route, IReadOnlyList<PutEntry> entries, UInt128[] hashKeys, Dictionary<int, ShardBatch> batches)
    {
        var results = new PutRecordResult[entries.Count];
        try
        {
            await AppendAllAsync(tenant, route, entries, hashKeys, batches, results, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogUnacknowledgedFailed(logger, route.Name, ex.Message);
            return;
        }

        var failed = results.Count(r => r.ErrorCode is not null && r.ErrorCode != PutRecordResult.InvalidArgument);
        if (failed > 0)
        {
            LogUnacknowledgedLost(logger, failed, route.Name, results.First(r => r.ErrorCode is not null && r.ErrorCode != PutRecordResult.InvalidArgument).ErrorMessage);
        }
    }

    private async Task AppendAllAsync(
        Tenant tenant, StreamRoute route, IReadOnlyList<PutEntry> entries, UInt128[] hashKeys, Dictionary<int, ShardBatch> batches, PutRecordResult[] results, CancellationToken cancellationToken)
    {
        if (batches.Count == 1)
        {
            foreach (var batch in batches.Values)
            {
                await AppendAsync(tenant, route, entries, hashKeys, batch, results, deferredStarts: null, firstAttempt: 1, cancellationToken);
            }
        }
        else if (batches.Count > 1)
        {
            // Queue every shard's write first, then send: a node leading several of the shards
            // gets them in one call.
            var tasks = new Task[batches.Count];
            var starts = new List<NodeWriteQueue>();
            try
            {
                var t = 0;
                foreach (var batch in batches.Values)
                {
                    tasks[t++] = AppendAsync(tenant, route, entries, hashKeys, batch, results, starts, firstAttempt: 1, cancellationToken);
                }
            }
            finally
            {
                foreach (var queue in starts)
                {
                    queue.StartDeferred();
                }
            }

            await Task.WhenAll(tasks);
        }
    }

    /// <summary>Reads records of one shard from a position, as a GetRecords call (<see cref="ReadMetering.Call"/>).</summary>
    public Task<ReadOutcome> GetAsync(
        Tenant tenant, string streamName, string shardId, ReadPosition position, int limit, int maxWaitMs, CancellationToken cancellationToken = default) =>
        GetAsync(tenant, streamName, shardId, position, limit, maxWaitMs, ReadMetering.Call, cancellationToken);

    /// <summary>
    /// Reads records of one shard from a position. With <see cref="ReadMetering.Call"/> the read first takes one of the
    /// shard's read calls (<see cref="SluiceErrorCode.Throttled"/> when there is none, or when egress is in debt); its bytes
    /// are charged afterwards unless <see cref="ReadMetering.None"/>.
    /// </summary>
    public async Task<ReadOutcome> GetAsync(
        Tenant tenant, string streamName, string shardId, ReadPosition position, int limit, int maxWaitMs, ReadMetering metering, CancellationToken cancellationToken = default)
    {
        if (limit == 0)
        {
            limit = DefaultLimit;
        }

        if (limit < 1 || limit > Limits.MaxGetRecords)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, $"Limit {limit} is out of range: it must be between 1 and {Limits.MaxGetRecords}.");
        }

        if (maxWaitMs < 0 || maxWaitMs > Limits.MaxWaitMilliseconds)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, $"Wait {maxWaitMs} ms is out of range: it must be between 0 and {Limits.MaxWaitMilliseconds} ms.");
        }

        var route = await router.GetAsync(tenant, streamName, cancellationToken);
        StreamAvailability.EnsureAcceptsRecords(route, tenant);
        if (!ShardId.TryParse(shardId, out var shardIndex) || !route.TryGetShard(shardIndex, out var target))
        {
            throw new SluiceException(SluiceErrorCode.NotFound, $"Shard {shardId} in stream {streamName} under account {tenant.AccountId} does not exist.");
        }

        if (!target.IsOpen && target.EndingOffset is null)
        {
            // Closed, but its leader has not confirmed where it ends yet (it was down at the
            // reshard): seal it now, so the end this read reports is final.
            if (await sealer.TrySealAsync(route.StreamId, target, cancellationToken) is not null)
            {
                route = await router.RefreshAsync(tenant, streamName, cancellationToken);
                route.TryGetShard(shardIndex, out target);
            }
        }

        if (metering == ReadMetering.Call)
        {
            await quotas.AdmitReadAsync(tenant, route, shardIndex, takeCall: true, cancellationToken);
        }

        // A closed shard gets no more records: no long-poll on it.
        if (!target!.IsOpen)
        {
            maxWaitMs = 0;
        }

        var request = new ReadRequest { StreamId = route.StreamId, ShardIndex = shardIndex, MaxRecords = limit, MaxBytes = Limits.MaxGetBytes, MaxWaitMs = maxWaitMs };
        switch (position.From)
        {
            case ReadFrom.TrimHorizon:
                request.Oldest = true;
                break;
            case ReadFrom.Latest:
                request.Latest = true;
                break;
            case ReadFrom.AtTimestamp:
                request.TimestampMs = (position.Timestamp ?? throw new SluiceException(SluiceErrorCode.InvalidArgument, "A timestamp is required to read from AT_TIMESTAMP.")).ToUnixTimeMilliseconds();
                break;
            default:
                var offset = DecodeSequenceNumber(position.SequenceNumber, shardIndex, shardId);
                request.Offset = position.From == ReadFrom.AfterSequenceNumber && offset < long.MaxValue ? offset + 1 : offset;
                break;
        }

        if (!target.IsOpen && target.EndingOffset is { } ending
            && (ending == 0 || position.From == ReadFrom.Latest || (request.StartCase == ReadRequest.StartOneofCase.Offset && request.Offset >= ending)))
        {
            return ReadOutcome.EndOfShard(shardIndex, ending, route.ChildrenOf(shardIndex));
        }

        for (var attempt = 1; ; attempt++)
        {
            route.TryGetShard(shardIndex, out var shard);
            var client = ClientFor(shard!, streamName);
            request.LeaderEpoch = shard!.LeaderEpoch;
            try
            {
                var deadline = timeProvider.GetUtcNow().UtcDateTime + options.Value.StorageCallTimeout + TimeSpan.FromMilliseconds(maxWaitMs);
                var response = await client.ReadAsync(request, deadline: deadline, cancellationToken: cancellationToken);
                var behind = 0L;
                if (response.NextOffset < response.LogEndOffset && response.RecordCount > 0)
                {
                    behind = Math.Max(0, response.LastTimestampMs - response.LastReturnedTimestampMs);
                }

                var atEnd = !shard!.IsOpen && shard.EndingOffset is { } end && response.NextOffset >= end;
                if (metering != ReadMetering.None && response.RecordCount > 0)
                {
                    // The chunk is the records with a fixed header each: what is left is their keys and data.
                    var bytes = response.Records.Length - ((long)response.RecordCount * ReadChunk.HeaderSize);
                    quotas.ChargeRead(tenant, route, shardIndex, bytes);
                    usage.AddOut(tenant.Id, route.Name, response.RecordCount, bytes);
                    metrics.RecordsOut(response.RecordCount, bytes);
                }

                return new ReadOutcome(shardIndex, response, behind) { ChildShards = atEnd ? route.ChildrenOf(shardIndex) : null };
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                // The caller stopped waiting (a long poll of a client that went away): not a storage fault.
                throw new OperationCanceledException(cancellationToken);
            }
            catch (RpcException ex) when (IsStaleRoute(ex) && attempt < MaxRouteAttempts)
            {
                route = await router.RefreshAsync(tenant, streamName, cancellationToken);
            }
            catch (RpcException ex)
            {
                throw Translate(ex, shard, streamName);
            }
        }
    }

    private static string? Validate(in PutEntry entry, int keyLength, out UInt128 hashKey)
    {
        hashKey = default;
        if (entry.InputError is { } inputError)
        {
            return inputError;
        }

        if (RecordRules.ValidatePartitionKey(entry.PartitionKey) is { } keyError)
        {
            return keyError;
        }

        if (RecordRules.ValidateRecordSize(entry.Data.Length, keyLength) is { } sizeError)
        {
            return sizeError;
        }

        if (!string.IsNullOrEmpty(entry.ExplicitHashKey))
        {
            return HashKey.TryParse(entry.ExplicitHashKey, out hashKey)
                ? null
                : $"Explicit hash key '{entry.ExplicitHashKey}' is not a decimal integer between 0 and 2^128 - 1.";
        }

        hashKey = HashKey.FromPartitionKey(entry.PartitionKey!);
        return null;
    }

    private static long DecodeSequenceNumber(string? sequenceNumber, int shardIndex, string shardId)
    {
        if (!SequenceNumber.TryDecode(sequenceNumber, out var sequenceShard, out var offset))
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, $"'{sequenceNumber}' is not a valid sequence number.");
        }

        if (sequenceShard != shardIndex)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, $"Sequence number {sequenceNumber} does not belong to shard {shardId}.");
        }

        return offset;
    }

    private async Task AppendAsync(
        Tenant tenant,
        StreamRoute route,
        IReadOnlyList<PutEntry> entries,
        UInt128[] hashKeys,
        ShardBatch batch,
        PutRecordResult[] results,
        List<NodeWriteQueue>? deferredStarts,
        int firstAttempt,
        CancellationToken cancellationToken)
    {
        // The shard's records in the log's own record encoding: the storage node copies them into
        // the batch as they are. Rented, and returned once the append that carries it is done.
        var buffer = ArrayPool<byte>.Shared.Rent(batch.Bytes);
        var position = 0;
        foreach (var index in batch.Indexes)
        {
            var entry = entries[index];
            var keyLength = Encoding.UTF8.GetBytes(entry.PartitionKey!, buffer.AsSpan(position + RecordBody.HeaderSize));
            RecordBody.WriteHeader(buffer.AsSpan(position), keyLength, entry.Data.Length);
            position += RecordBody.HeaderSize + keyLength;
            entry.Data.Span.CopyTo(buffer.AsSpan(position));
            position += entry.Data.Length;
        }

        // The append may carry other callers' records too, so one caller's cancellation must not
        // abort it: the storage deadline bounds it instead.
        var chunk = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, position));
        Task<long>? append = null;
        try
        {
            for (var attempt = firstAttempt; ; attempt++)
            {
                route.TryGetShard(batch.ShardIndex, out var shard);
                if (shard is null || !shard.IsOpen)
                {
                    // A split or merge closed the shard: its hash keys belong to its children now.
                    await RerouteAsync(tenant, route, entries, hashKeys, batch, results, attempt, cancellationToken);
                    return;
                }

                try
                {
                    // Only the first attempt runs before the caller starts the deferred queues.
                    append = QueueFor(shard, route.Name).AppendAsync(
                        route.StreamId, batch.ShardIndex, shard.LeaderEpoch, chunk, batch.Indexes.Count, attempt == firstAttempt ? deferredStarts : null, batch.Acks, batch.Producer,
                        route.Definition.Encryption == StreamEncryption.Kms ? EncryptionHint.Encrypted : EncryptionHint.Plain);
                    var baseOffset = await append.WaitAsync(cancellationToken);
                    for (var j = 0; j < batch.Indexes.Count; j++)
                    {
                        results[batch.Indexes[j]] = PutRecordResult.Success(batch.ShardIndex, baseOffset + j);
                    }

                    return;
                }
                catch (RpcException ex) when (IsStaleRoute(ex) && attempt < MaxRouteAttempts)
                {
                    // Nothing of it was written: follow the leader change (or the reshard) and send it there.
                    route = await router.RefreshAsync(tenant, route.Name, cancellationToken);
                }
                catch (RpcException ex) when (Reason(ex) is "duplicate-sequence" or "producer-fenced")
                {
                    var failure = PutRecordResult.Failure(
                        Reason(ex) == "duplicate-sequence" ? PutRecordResult.DuplicateSequence : PutRecordResult.ProducerFenced, ex.Status.Detail);
                    foreach (var index in batch.Indexes)
                    {
                        results[index] = failure;
                    }

                    return;
                }
                catch (RpcException ex)
                {
                    Fail(batch, results, Translate(ex, shard!, route.Name));
                    return;
                }
            }
        }
        catch (SluiceException ex)
        {
            Fail(batch, results, ex);
        }
        finally
        {
            // A caller that stopped waiting leaves the buffer to the append still carrying it.
            if (append is null || append.IsCompleted)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Sends a batch for a shard that has been closed to the open shards that now hold its records' hash keys.</summary>
    private async Task RerouteAsync(
        Tenant tenant, StreamRoute route, IReadOnlyList<PutEntry> entries, UInt128[] hashKeys, ShardBatch batch, PutRecordResult[] results, int attempt, CancellationToken cancellationToken)
    {
        if (attempt > MaxRouteAttempts)
        {
            Fail(batch, results, new SluiceException(SluiceErrorCode.Unavailable,
                $"Stream {route.Name} was resharded while the records were sent; they were not written, retry."));
            return;
        }

        var batches = new Dictionary<int, ShardBatch>();
        foreach (var index in batch.Indexes)
        {
            var shard = route.FindOpenShard(hashKeys[index]);
            if (shard is null)
            {
                results[index] = PutRecordResult.Failure(PutRecordResult.InternalFailure, $"No open shard of stream {route.Name} covers hash key {HashKey.Format(hashKeys[index])}.");
                continue;
            }

            if (!batches.TryGetValue(shard.Index, out var target))
            {
                target = new ShardBatch(shard.Index, batch.Acks, batch.Producer);
                batches.Add(shard.Index, target);
            }

            var entry = entries[index];
            var keyLength = Encoding.UTF8.GetByteCount(entry.PartitionKey!);
            target.Add(index, RecordBody.EncodedLength(keyLength, entry.Data.Length), keyLength + entry.Data.Length);
        }

        await Task.WhenAll(batches.Values.Select(b => AppendAsync(tenant, route, entries, hashKeys, b, results, deferredStarts: null, attempt, cancellationToken)));
    }

    private NodeWriteQueue QueueFor(ShardRoute shard, string streamName)
    {
        if (shard.LeaderAddress is null)
        {
            throw new SluiceException(SluiceErrorCode.Unavailable, shard.Unavailability(streamName));
        }

        return _queues.GetOrAdd(shard.LeaderAddress, address => new NodeWriteQueue(request =>
        {
            var deadline = timeProvider.GetUtcNow().UtcDateTime + options.Value.StorageCallTimeout;
            return storage.Get(address).AppendAsync(request, deadline: deadline).ResponseAsync;
        }));
    }

    private static void Fail(ShardBatch batch, PutRecordResult[] results, SluiceException error)
    {
        var failure = PutRecordResult.FromError(error);
        foreach (var index in batch.Indexes)
        {
            results[index] = failure;
        }
    }

    private Storage.V1.StorageNode.StorageNodeClient ClientFor(ShardRoute shard, string streamName)
    {
        if (shard.LeaderAddress is null)
        {
            throw new SluiceException(SluiceErrorCode.Unavailable, shard.Unavailability(streamName));
        }

        return storage.Get(shard.LeaderAddress);
    }

    private static bool IsStaleRoute(RpcException ex) =>
        ex.StatusCode == StatusCode.FailedPrecondition || (ex.StatusCode == StatusCode.NotFound && Reason(ex) == "unknown-shard");

    private static string? Reason(RpcException ex) => ex.Trailers.GetValue(ErrorTrailer);

    private SluiceException Translate(RpcException ex, ShardRoute shard, string streamName)
    {
        switch (ex.StatusCode)
        {
            case StatusCode.OutOfRange when Reason(ex) == "offset-trimmed":
                return new SluiceException(SluiceErrorCode.PositionTrimmed,
                    $"The requested position in shard {shard.ShardId} of stream {streamName} is older than the stream's retention; read from TRIM_HORIZON.");
            case StatusCode.OutOfRange:
                return new SluiceException(SluiceErrorCode.InvalidArgument,
                    $"The requested sequence number is beyond the end of shard {shard.ShardId} of stream {streamName}.");
            case StatusCode.InvalidArgument:
                return new SluiceException(SluiceErrorCode.InvalidArgument, ex.Status.Detail);
            case StatusCode.NotFound:
                return new SluiceException(SluiceErrorCode.NotFound, $"Stream {streamName} not found.");
            case StatusCode.Unavailable when Reason(ex) == "not-enough-replicas":
                return new SluiceException(SluiceErrorCode.Unavailable,
                    $"Shard {shard.ShardId} of stream {streamName} has fewer in-sync replicas than the stream's minimum, so acks=all cannot be met: {ex.Status.Detail} Retry, or write with acks=leader.", ex);
            case StatusCode.Unavailable when Reason(ex) == "replication-timeout":
                return new SluiceException(SluiceErrorCode.Unavailable,
                    $"The records for shard {shard.ShardId} of stream {streamName} were written on its leader but the in-sync replicas did not confirm them in time: they may or may not be kept; retry.", ex);
            case StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.FailedPrecondition or StatusCode.Cancelled or StatusCode.Unknown or StatusCode.Internal:
                LogStorageUnavailable(logger, shard.LeaderNodeId, shard.ShardId, ex.StatusCode, ex.Status.Detail);
                return new SluiceException(SluiceErrorCode.Unavailable,
                    $"Storage node {shard.LeaderNodeId} for shard {shard.ShardId} of stream {streamName} is unavailable ({ex.StatusCode}: {ex.Status.Detail}); the records were not acknowledged, retry.", ex);
            default:
                return new SluiceException(SluiceErrorCode.Internal, $"Storage node {shard.LeaderNodeId} failed: {ex.Status.Detail}", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "An acks=none put to stream {Stream} failed: {Reason}")]
    private static partial void LogUnacknowledgedFailed(ILogger logger, string stream, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} records of an acks=none put to stream {Stream} were not written: {Reason}")]
    private static partial void LogUnacknowledgedLost(ILogger logger, int count, string stream, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage node {NodeId} unavailable for {ShardId}: {StatusCode} {Detail}")]
    private static partial void LogStorageUnavailable(ILogger logger, string? nodeId, string shardId, StatusCode statusCode, string detail);

    private sealed class ShardBatch(int shardIndex, Acks acks, ProducerStamp? producer)
    {
        public int ShardIndex { get; } = shardIndex;

        /// <summary>The idempotent producer's stamp, or null for a plain put.</summary>
        public ProducerStamp? Producer { get; } = producer;

        /// <summary>What the storage node waits for before it answers.</summary>
        public Acks Acks { get; } = acks;

        public List<int> Indexes { get; } = [];

        /// <summary>Encoded size of the shard's records.</summary>
        public int Bytes { get; private set; }

        /// <summary>Bytes of the records' data and partition keys: what the quotas count.</summary>
        public long DataBytes { get; private set; }

        public void Add(int index, int encodedBytes, long dataBytes)
        {
            Indexes.Add(index);
            Bytes += encodedBytes;
            DataBytes += dataBytes;
        }
    }
}
