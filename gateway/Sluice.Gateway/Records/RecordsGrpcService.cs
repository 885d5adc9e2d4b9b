using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Sluice.Core;
using Sluice.Gateway.Auth;
using Sluice.Gateway.Schemas;
using Sluice.Metadata.Model;
using Sluice.V1;

namespace Sluice.Gateway.Records;

/// <summary>gRPC: sluice.v1.Records.</summary>
[Authorize]
internal sealed class RecordsGrpcService(StreamAccess access, RecordService records, ProducerIds producers, RecordDecoder decoder) : V1.Records.RecordsBase
{
    public override async Task<PutRecordsResponse> PutRecords(PutRecordsRequest request, ServerCallContext context)
    {
        var tenant = (await access.AuthorizeAsync(context.GetHttpContext().User, StreamAccessKind.Produce, request.Stream, context.CancellationToken)).Tenant;
        var entries = new PutEntry[request.Records.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var record = request.Records[i];
            entries[i] = new PutEntry(record.PartitionKey, record.Data, record.ExplicitHashKey);
        }

        AckMode? acks = request.Acks switch
        {
            V1.Acks.Unspecified => null,
            V1.Acks.All => AckMode.All,
            V1.Acks.Leader => AckMode.Leader,
            V1.Acks.None => AckMode.None,
            _ => throw new SluiceException(SluiceErrorCode.InvalidArgument, $"acks {(int)request.Acks} is not one of ACKS_ALL, ACKS_LEADER, ACKS_NONE."),
        };
        var producer = ProducerStamp.From(request.HasProducerId ? request.ProducerId : null, request.HasProducerSequence ? request.ProducerSequence : null);
        var outcome = await records.PutAsync(tenant, request.Stream, entries, acks, sequenceNumbersRequired: false, producer, context.CancellationToken);
        if (outcome.AllUnavailable)
        {
            throw new SluiceException(SluiceErrorCode.Unavailable, outcome.Results[0].ErrorMessage!);
        }

        if (outcome.AllThrottled)
        {
            throw new SluiceException(SluiceErrorCode.Throttled, outcome.Results[0].ErrorMessage!) { RetryAfter = outcome.RetryAfter };
        }

        var response = new PutRecordsResponse { FailedRecordCount = outcome.FailedCount };
        for (var i = 0; i < outcome.Results.Length; i++)
        {
            var result = outcome.Results[i];
            response.Results.Add(result.Succeeded
                ? new PutRecordsResult { SequenceNumber = outcome.SequenceNumberOf(i), ShardId = result.ShardId }
                : new PutRecordsResult { ErrorCode = result.ErrorCode, ErrorMessage = result.ErrorMessage });
        }

        return response;
    }

    public override async Task<InitProducerResponse> InitProducer(InitProducerRequest request, ServerCallContext context)
    {
        await access.AuthenticateAsync(context.GetHttpContext().User, context.CancellationToken);
        var producerId = await producers.AllocateAsync(context.CancellationToken);
        return new InitProducerResponse { ProducerId = producerId, ProducerEpoch = ProducerStamp.InitialEpoch };
    }

    public override async Task<GetRecordsResponse> GetRecords(GetRecordsRequest request, ServerCallContext context)
    {
        var tenant = (await access.AuthorizeAsync(context.GetHttpContext().User, StreamAccessKind.Consume, request.Stream, context.CancellationToken)).Tenant;
        var position = request.Position switch
        {
            StartPosition.TrimHorizon or StartPosition.Unspecified => new ReadPosition(ReadFrom.TrimHorizon),
            StartPosition.Latest => new ReadPosition(ReadFrom.Latest),
            StartPosition.AtSequenceNumber => new ReadPosition(ReadFrom.AtSequenceNumber, request.SequenceNumber),
            StartPosition.AfterSequenceNumber => new ReadPosition(ReadFrom.AfterSequenceNumber, request.SequenceNumber),
            StartPosition.AtTimestamp => new ReadPosition(ReadFrom.AtTimestamp, Timestamp: request.Timestamp?.ToDateTimeOffset()),
            _ => throw new SluiceException(SluiceErrorCode.InvalidArgument, $"Unknown start position {request.Position}."),
        };

        var outcome = await records.GetAsync(tenant, request.Stream, request.ShardId, position, request.Limit, request.MaxWaitMs, context.CancellationToken);
        var response = new GetRecordsResponse
        {
            NextSequenceNumber = outcome.NextSequenceNumber,
            MillisBehindLatest = outcome.MillisBehindLatest,
        };
        if (outcome.ChildShards is { } children)
        {
            response.ShardEnd = true;
            foreach (var child in children)
            {
                var dto = ChildShardDto.From(child);
                response.ChildShards.Add(new ChildShard { ShardId = dto.ShardId, ParentShards = { dto.ParentShards }, StartingHashKey = dto.StartingHashKey, EndingHashKey = dto.EndingHashKey });
            }
        }

        var cursor = outcome.GetCursor();
        while (cursor.MoveNext())
        {
            response.Records.Add(new Record
            {
                SequenceNumber = cursor.SequenceNumber,
                PartitionKey = Encoding.UTF8.GetString(cursor.Key.Span),
                // The read buffer belongs to this call and is never written again: wrap, don't copy.
                Data = UnsafeByteOperations.UnsafeWrap(cursor.Value),
                ApproximateArrivalTimestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(cursor.TimestampMs)),
            });
        }

        if (request.Decode && response.Records.Count > 0)
        {
            var decoded = await decoder.DecodeAsync(tenant.Id, [.. response.Records.Select(r => r.Data.Memory)], context.CancellationToken);
            for (var i = 0; i < decoded.Length; i++)
            {
                var record = response.Records[i];
                var d = decoded[i];
                record.DecodedJson = d.Json ?? "";
                record.DecodeError = d.Error ?? "";
                if (d.SchemaId is { } schemaId)
                {
                    record.SchemaId = schemaId;
                }
            }
        }

        return response;
    }
}
