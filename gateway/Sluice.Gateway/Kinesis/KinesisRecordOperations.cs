using System.Buffers;
using System.Text.Json;
using Google.Protobuf;
using Sluice.Core;
using Sluice.Gateway.Records;
using Sluice.Gateway.Routing;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Kinesis;

/// <summary>
/// Kinesis' record operations over <see cref="RecordService"/>: puts, shard iterators and reads.
/// Errors of the application core propagate as <see cref="SluiceException"/>; the endpoint answers them.
/// </summary>
internal sealed class KinesisRecordOperations(RecordService records, StreamRouter router, ShardIterators iterators)
{
    private const int MaxRecordBytes = 1024 * 1024;

    public async Task<object?> PutRecordAsync(KinesisCall call, PutRecordRequest request, CancellationToken cancellationToken)
    {
        new KinesisValidation()
            .Required(request.Data, "data").Range(request.Data?.Length, 0, MaxRecordBytes, "data")
            .Required(request.PartitionKey, "partitionKey").Length(request.PartitionKey, 1, 256, "partitionKey")
            .HashKey(request.ExplicitHashKey, "explicitHashKey")
            .SequenceNumber(request.SequenceNumberForOrdering, "sequenceNumberForOrdering")
            .ThrowIfAny();
        var name = KinesisStreamOperations.StreamName(call, request);
        var entry = new PutEntry(request.PartitionKey, UnsafeByteOperations.UnsafeWrap(request.Data), request.ExplicitHashKey);

        // Sequence numbers of a shard only grow, so a record written now is after any the producer
        // passes as SequenceNumberForOrdering: the ordering it asks for holds by construction.
        var outcome = await Put(call, name, [entry], cancellationToken);
        var result = outcome.Results[0];
        if (!result.Succeeded)
        {
            throw result.ErrorCode switch
            {
                PutRecordResult.InvalidArgument => new KinesisException(KinesisException.InvalidArgument, result.ErrorMessage!),
                PutRecordResult.ServiceUnavailable => new KinesisException(KinesisException.ServiceUnavailable, result.ErrorMessage!, StatusCodes.Status503ServiceUnavailable),
                PutRecordResult.Throttled => new KinesisException(KinesisException.ProvisionedThroughputExceeded, result.ErrorMessage!),
                _ => new KinesisException(KinesisException.InternalFailure, "Internal service failure.", StatusCodes.Status500InternalServerError),
            };
        }

        var route = await router.GetAsync(call.Tenant, name, cancellationToken);
        return new PutRecordResponse(result.ShardId, outcome.SequenceNumberOf(0), EncryptionType(route));
    }

    /// <summary>PutRecords; written straight to JSON (it is the hot path).</summary>
    public async Task<byte[]> PutRecordsAsync(KinesisCall call, PutRecordsRequest request, CancellationToken cancellationToken)
    {
        var validation = new KinesisValidation().Required(request.Records, "records");
        if (request.Records is { Count: 0 or > Limits.MaxRecordsPerPut })
        {
            validation.Range(request.Records.Count, 1, Limits.MaxRecordsPerPut, "records");
        }

        var count = request.Records?.Count ?? 0;
        for (var i = 0; i < count && !validation.HasErrors; i++)
        {
            var record = request.Records![i];
            var member = $"records.{i + 1}.member";
            validation.Required(record, member);
            if (record is not null)
            {
                validation
                    .Required(record.Data, member + ".data").Range(record.Data?.Length, 0, MaxRecordBytes, member + ".data")
                    .Required(record.PartitionKey, member + ".partitionKey").Length(record.PartitionKey, 1, 256, member + ".partitionKey")
                    .HashKey(record.ExplicitHashKey, member + ".explicitHashKey");
            }
        }

        validation.ThrowIfAny();
        var name = KinesisStreamOperations.StreamName(call, request);
        var entries = new PutEntry[count];
        for (var i = 0; i < count; i++)
        {
            var record = request.Records![i]!;
            entries[i] = new PutEntry(record.PartitionKey, UnsafeByteOperations.UnsafeWrap(record.Data), record.ExplicitHashKey);
        }

        var outcome = await Put(call, name, entries, cancellationToken);
        var route = await router.GetAsync(call.Tenant, name, cancellationToken);
        var output = new ArrayBufferWriter<byte>(64 + (count * 96));
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteNumber("FailedRecordCount"u8, outcome.FailedCount);
            json.WriteStartArray("Records"u8);
            for (var i = 0; i < outcome.Results.Length; i++)
            {
                var result = outcome.Results[i];
                json.WriteStartObject();
                if (result.Succeeded)
                {
                    json.WriteString("SequenceNumber"u8, outcome.SequenceNumberOf(i));
                    json.WriteString("ShardId"u8, result.ShardId);
                }
                else
                {
                    // Storage trouble is per record and retriable, as Kinesis' own InternalFailure.
                    json.WriteString("ErrorCode"u8, result.ErrorCode switch
                    {
                        PutRecordResult.InvalidArgument => KinesisException.InvalidArgument,
                        PutRecordResult.Throttled => KinesisException.ProvisionedThroughputExceeded,
                        _ => KinesisException.InternalFailure,
                    });
                    json.WriteString("ErrorMessage"u8, result.ErrorMessage);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("EncryptionType"u8, EncryptionType(route));
            json.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    public async Task<object?> GetShardIteratorAsync(KinesisCall call, GetShardIteratorRequest request, CancellationToken cancellationToken)
    {
        new KinesisValidation()
            .Required(request.ShardId, "shardId").ShardId(request.ShardId, "shardId")
            .Required(request.ShardIteratorType, "shardIteratorType")
            .OneOf(request.ShardIteratorType, "shardIteratorType", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")
            .SequenceNumber(request.StartingSequenceNumber, "startingSequenceNumber")
            .ThrowIfAny();
        var name = KinesisStreamOperations.StreamName(call, request);
        var route = await router.GetAsync(call.Tenant, name, cancellationToken);
        StreamAvailability.EnsureAcceptsRecords(route, call.Tenant);
        if (!Core.ShardId.TryParse(request.ShardId, out var shardIndex) || !route.TryGetShard(shardIndex, out _))
        {
            throw new KinesisException(KinesisException.ResourceNotFound,
                $"Shard {request.ShardId} in stream {name} under account {call.Tenant.AccountId} does not exist");
        }

        var shardId = Core.ShardId.Format(shardIndex);
        IteratorKind kind;
        long position;
        switch (request.ShardIteratorType)
        {
            case "TRIM_HORIZON":
                (kind, position) = (IteratorKind.TrimHorizon, 0);
                break;
            case "LATEST":
                // Fixed now, so records written between this call and the first read are seen.
                var latest = await records.GetAsync(call.Tenant, name, shardId, new ReadPosition(ReadFrom.Latest), 1, maxWaitMs: 0, ReadMetering.None, cancellationToken);
                (kind, position) = (IteratorKind.Offset, latest.NextOffset);
                break;
            case "AT_TIMESTAMP":
                if (request.Timestamp is not { } timestamp)
                {
                    throw new KinesisException(KinesisException.InvalidArgument, "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.");
                }

                (kind, position) = (IteratorKind.Timestamp, timestamp.ToUnixTimeMilliseconds());
                break;
            default:
                if (request.StartingSequenceNumber is null)
                {
                    throw new KinesisException(KinesisException.InvalidArgument,
                        $"StartingSequenceNumber must be specified for shardIteratorType {request.ShardIteratorType}.");
                }

                if (!SequenceNumber.TryDecode(request.StartingSequenceNumber, out var sequenceShard, out var offset))
                {
                    throw new KinesisException(KinesisException.InvalidArgument,
                        $"StartingSequenceNumber {request.StartingSequenceNumber} used in GetShardIterator on shard {shardId} in stream {name} under account {call.Tenant.AccountId} is invalid.");
                }

                if (sequenceShard != shardIndex)
                {
                    throw new KinesisException(KinesisException.InvalidArgument,
                        $"Invalid StartingSequenceNumber. It encodes {Core.ShardId.Format(sequenceShard)}, while it was used in a call to a shard with {shardId}");
                }

                (kind, position) = (IteratorKind.Offset, request.ShardIteratorType == "AFTER_SEQUENCE_NUMBER" && offset < long.MaxValue ? offset + 1 : offset);
                break;
        }

        return new GetShardIteratorResponse(iterators.Create(call.Tenant.Id, route.StreamId, name, shardIndex, kind, position));
    }

    /// <summary>GetRecords; written straight to JSON (it is the hot path).</summary>
    public async Task<byte[]> GetRecordsAsync(KinesisCall call, GetRecordsRequest request, CancellationToken cancellationToken)
    {
        new KinesisValidation()
            .Required(request.ShardIterator, "shardIterator").Length(request.ShardIterator, 1, 512, "shardIterator")
            .Range(request.Limit, 1, Limits.MaxGetRecords, "limit")
            .ThrowIfAny();
        var iterator = iterators.Open(request.ShardIterator, call.Tenant.Id);
        call.Authorize(iterator.StreamName);
        var route = await router.GetAsync(call.Tenant, iterator.StreamName, cancellationToken);
        if (route.StreamId != iterator.StreamId)
        {
            // The stream was deleted (and maybe made again under the same name) since.
            throw new KinesisException(KinesisException.ResourceNotFound,
                $"Stream {iterator.StreamName} under account {call.Tenant.AccountId} not found.");
        }

        StreamAvailability.EnsureAcceptsRecords(route, call.Tenant);

        var shardId = Core.ShardId.Format(iterator.ShardIndex);
        var position = iterator.Kind switch
        {
            IteratorKind.Offset => new ReadPosition(ReadFrom.AtSequenceNumber, SequenceNumber.Encode(iterator.ShardIndex, iterator.Position)),
            IteratorKind.Timestamp => new ReadPosition(ReadFrom.AtTimestamp, Timestamp: DateTimeOffset.FromUnixTimeMilliseconds(iterator.Position)),
            _ => new ReadPosition(ReadFrom.TrimHorizon),
        };
        var limit = request.Limit ?? Limits.MaxGetRecords;
        ReadOutcome outcome;
        try
        {
            outcome = await Read(call, iterator.StreamName, shardId, position, limit, cancellationToken);
        }
        catch (SluiceException ex) when (ex.Code == SluiceErrorCode.PositionTrimmed && iterator.Kind == IteratorKind.Offset)
        {
            // Retention removed the position since the iterator was made: go on from the oldest
            // record still held, as Kinesis does, rather than leave the consumer stuck.
            outcome = await Read(call, iterator.StreamName, shardId, new ReadPosition(ReadFrom.TrimHorizon), limit, cancellationToken);
        }

        var output = new ArrayBufferWriter<byte>(128 + (outcome.Count * 256));
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            WriteRecords(json, outcome);
            if (outcome.ChildShards is { } children)
            {
                // The end of a closed shard: no next iterator, and where its hash keys went.
                json.WriteNumber("MillisBehindLatest"u8, 0);
                WriteChildShards(json, children);
            }
            else
            {
                var next = iterators.Create(call.Tenant.Id, iterator.StreamId, iterator.StreamName, iterator.ShardIndex, IteratorKind.Offset, outcome.NextOffset);
                json.WriteString("NextShardIterator"u8, next);
                json.WriteNumber("MillisBehindLatest"u8, outcome.MillisBehindLatest);
            }

            json.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>The <c>Records</c> array of GetRecords and of SubscribeToShard events.</summary>
    internal static void WriteRecords(Utf8JsonWriter json, ReadOutcome outcome)
    {
        json.WriteStartArray("Records"u8);
        var cursor = outcome.GetCursor();
        while (cursor.MoveNext())
        {
            json.WriteStartObject();
            json.WriteString("SequenceNumber"u8, cursor.SequenceNumber);
            json.WriteNumber("ApproximateArrivalTimestamp"u8, cursor.TimestampMs / 1000.0);
            json.WriteBase64String("Data"u8, cursor.Value.Span);
            json.WriteString("PartitionKey"u8, cursor.Key.Span);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>The <c>ChildShards</c> of GetRecords and of SubscribeToShard events at a closed shard's end.</summary>
    internal static void WriteChildShards(Utf8JsonWriter json, IReadOnlyList<ShardRoute> children)
    {
        json.WriteStartArray("ChildShards"u8);
        foreach (var child in children)
        {
            json.WriteStartObject();
            json.WriteString("ShardId"u8, child.ShardId);
            json.WriteStartArray("ParentShards"u8);
            if (child.ParentIndex is { } parent)
            {
                json.WriteStringValue(Core.ShardId.Format(parent));
            }

            if (child.AdjacentParentIndex is { } adjacent)
            {
                json.WriteStringValue(Core.ShardId.Format(adjacent));
            }

            json.WriteEndArray();
            json.WriteStartObject("HashKeyRange"u8);
            json.WriteString("StartingHashKey"u8, HashKey.Format(child.StartingHashKey));
            json.WriteString("EndingHashKey"u8, HashKey.Format(child.EndingHashKey));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private Task<ReadOutcome> Read(KinesisCall call, string stream, string shardId, ReadPosition position, int limit, CancellationToken cancellationToken) =>
        records.GetAsync(call.Tenant, stream, shardId, position, limit, maxWaitMs: 0, cancellationToken);

    private Task<PutOutcome> Put(KinesisCall call, string stream, PutEntry[] entries, CancellationToken cancellationToken) =>
        records.PutAsync(call.Tenant, stream, entries, acks: null, sequenceNumbersRequired: true, producer: null, cancellationToken);

    private static string EncryptionType(StreamRoute route) => route.Definition.Encryption == StreamEncryption.Kms ? "KMS" : "NONE";
}
