using System.Globalization;
using System.Security.Claims;
using System.Text;
using Google.Protobuf;
using Microsoft.AspNetCore.Http.HttpResults;
using Sluice.Core;
using Sluice.Gateway.Auth;
using Sluice.Gateway.Schemas;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Records;

/// <summary>REST: putting and getting records.</summary>
public static class RecordsEndpoints
{
    public static RouteGroupBuilder MapRecordsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/streams/{name}").WithTags("Records").RequireAuthorization();

        group.MapPost("/records", PutAsync)
            .WithSummary("Put records")
            .WithDescription("Writes up to 500 records (5 MiB). Each record succeeds or fails on its own: the response lists, in request order, "
                + "a sequence number and shard id or an error code and message. 503 when storage was unavailable for every record. "
                + "With `producerId` (from POST /v1/producers) and `producerSequence` (the call's number, incremented per call, kept for a retry "
                + "of the same call with the same records) the put is idempotent: a retry is answered with the original sequence numbers and "
                + "writes nothing; a sequence older than the producer's last five calls on a shard fails with DuplicateSequence.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/shards/{shardId}/records", GetAsync)
            .WithSummary("Get records from a shard")
            .WithDescription("Reads records in order from `from` = oldest | latest | at | after (with `sequenceNumber`) | timestamp (with `timestamp`, "
                + "ISO-8601 or epoch milliseconds). Continue with from=at&sequenceNumber={nextSequenceNumber}. `maxWaitMs` long-polls when no record is available. "
                + "At the end of a shard closed by a split or merge the answer has `childShards`: read on from them. "
                + "With `decode=true` each record also has `decoded`, the record as a JSON value (a record in Confluent's wire format decoded "
                + "through the tenant's schema with the id in its header, given as `schemaId`; a plain JSON record as itself), or `decodeError`.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        app.MapPost("/v1/producers", InitProducerAsync)
            .WithTags("Records")
            .RequireAuthorization()
            .WithSummary("Create an idempotent producer")
            .WithDescription("Allocates a producer id, unique across the cluster and never reused, for the `producerId` of idempotent puts; "
                + "its epoch is 0. A producer numbers its puts with `producerSequence` from 0 and sends one put at a time.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    private static async Task<Ok<ProducerDto>> InitProducerAsync(ClaimsPrincipal user, StreamAccess access, ProducerIds producers, CancellationToken cancellationToken)
    {
        await access.AuthenticateAsync(user, cancellationToken);
        var producerId = await producers.AllocateAsync(cancellationToken);
        return TypedResults.Ok(new ProducerDto(producerId, ProducerStamp.InitialEpoch));
    }

    private static async Task<Ok<PutRecordsResultDto>> PutAsync(
        string name, PutRecordsBody body, ClaimsPrincipal user, StreamAccess access, RecordService records, CancellationToken cancellationToken)
    {
        var tenant = (await access.AuthorizeAsync(user, StreamAccessKind.Produce, name, cancellationToken)).Tenant;
        var input = body.Records ?? throw new SluiceException(SluiceErrorCode.InvalidArgument, "The body must have a 'records' array.");
        var entries = new PutEntry[input.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var record = input[i];
            if (record is null)
            {
                entries[i] = new PutEntry(null, ByteString.Empty, null, "Record must be an object with 'partitionKey' and 'data'.");
                continue;
            }

            var data = record.Data;
            var error = data is null ? "Record data is required (base64)."
                : !data.Value.IsValid ? "Record data is not valid base64."
                : null;
            var bytes = data?.Bytes is { } b ? UnsafeByteOperations.UnsafeWrap(b) : ByteString.Empty;
            entries[i] = new PutEntry(record.PartitionKey, bytes, record.ExplicitHashKey, error);
        }

        AckMode? acks = body.Acks?.ToLowerInvariant() switch
        {
            null => null,
            "all" => AckMode.All,
            "leader" => AckMode.Leader,
            "none" => AckMode.None,
            _ => throw new SluiceException(SluiceErrorCode.InvalidArgument, $"acks '{body.Acks}' is not one of all, leader, none."),
        };
        var producer = ProducerStamp.From(body.ProducerId, body.ProducerSequence);
        var outcome = await records.PutAsync(tenant, name, entries, acks, sequenceNumbersRequired: false, producer, cancellationToken);
        if (outcome.AllUnavailable)
        {
            throw new SluiceException(SluiceErrorCode.Unavailable, outcome.Results[0].ErrorMessage!);
        }

        if (outcome.AllThrottled)
        {
            throw new SluiceException(SluiceErrorCode.Throttled, outcome.Results[0].ErrorMessage!) { RetryAfter = outcome.RetryAfter };
        }

        var results = new PutRecordResultDto[outcome.Results.Length];
        for (var i = 0; i < results.Length; i++)
        {
            var r = outcome.Results[i];
            results[i] = r.Succeeded
                ? new PutRecordResultDto(r.HasSequenceNumber ? outcome.SequenceNumberOf(i) : null, r.ShardId, null, null)
                : new PutRecordResultDto(null, null, r.ErrorCode, r.ErrorMessage);
        }

        return TypedResults.Ok(new PutRecordsResultDto(outcome.FailedCount, results));
    }

    private static async Task<Ok<GetRecordsResultDto>> GetAsync(
        string name,
        string shardId,
        ClaimsPrincipal user,
        StreamAccess access,
        RecordService records,
        RecordDecoder decoder,
        CancellationToken cancellationToken,
        string? from = null,
        string? sequenceNumber = null,
        string? timestamp = null,
        int? limit = null,
        int? maxWaitMs = null,
        bool? decode = null)
    {
        var tenant = (await access.AuthorizeAsync(user, StreamAccessKind.Consume, name, cancellationToken)).Tenant;
        var position = ParsePosition(from, sequenceNumber, timestamp);
        var outcome = await records.GetAsync(tenant, name, shardId, position, limit ?? 0, maxWaitMs ?? 0, cancellationToken);
        var result = new RecordDto[outcome.Count];
        var cursor = outcome.GetCursor();
        for (var i = 0; cursor.MoveNext(); i++)
        {
            result[i] = new RecordDto(
                cursor.SequenceNumber,
                Encoding.UTF8.GetString(cursor.Key.Span),
                cursor.Value,
                DateTimeOffset.FromUnixTimeMilliseconds(cursor.TimestampMs));
        }

        if (decode == true && result.Length > 0)
        {
            var decoded = await decoder.DecodeAsync(tenant.Id, [.. result.Select(r => r.Data)], cancellationToken);
            for (var i = 0; i < result.Length; i++)
            {
                var d = decoded[i];
                result[i] = result[i] with
                {
                    Decoded = d.Json is { } json ? System.Text.Json.JsonElement.Parse(json) : null,
                    SchemaId = d.SchemaId,
                    DecodeError = d.Error,
                };
            }
        }

        return TypedResults.Ok(new GetRecordsResultDto(result, outcome.NextSequenceNumber, outcome.MillisBehindLatest,
            outcome.ChildShards is { } children ? [.. children.Select(ChildShardDto.From)] : null));
    }

    internal static ReadPosition ParsePosition(string? from, string? sequenceNumber, string? timestamp)
    {
        var kind = (from ?? (sequenceNumber is not null ? "at" : timestamp is not null ? "timestamp" : "oldest")).ToUpperInvariant();
        return kind switch
        {
            "OLDEST" or "TRIM_HORIZON" => new ReadPosition(ReadFrom.TrimHorizon),
            "LATEST" => new ReadPosition(ReadFrom.Latest),
            "AT" or "AT_SEQUENCE_NUMBER" => new ReadPosition(ReadFrom.AtSequenceNumber, RequireSequenceNumber(sequenceNumber, from)),
            "AFTER" or "AFTER_SEQUENCE_NUMBER" => new ReadPosition(ReadFrom.AfterSequenceNumber, RequireSequenceNumber(sequenceNumber, from)),
            "TIMESTAMP" or "AT_TIMESTAMP" => new ReadPosition(ReadFrom.AtTimestamp, Timestamp: ParseTimestamp(timestamp)),
            _ => throw new SluiceException(SluiceErrorCode.InvalidArgument,
                $"'from' must be one of oldest, latest, at, after, timestamp; got '{from}'."),
        };
    }

    private static string RequireSequenceNumber(string? sequenceNumber, string? from) =>
        string.IsNullOrEmpty(sequenceNumber)
            ? throw new SluiceException(SluiceErrorCode.InvalidArgument, $"'sequenceNumber' is required with from={from}.")
            : sequenceNumber;

    private static DateTimeOffset ParseTimestamp(string? timestamp)
    {
        if (string.IsNullOrEmpty(timestamp))
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, "'timestamp' is required with from=timestamp.");
        }

        if (long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var millis))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(millis);
        }

        return DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : throw new SluiceException(SluiceErrorCode.InvalidArgument, $"'timestamp' must be ISO-8601 or epoch milliseconds; got '{timestamp}'.");
    }
}
