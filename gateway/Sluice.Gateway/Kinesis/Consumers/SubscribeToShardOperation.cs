using System.Text.Json;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Gateway.Records;
using Sluice.Gateway.Routing;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Kinesis.Consumers;

/// <summary>
/// Kinesis SubscribeToShard: pushes a shard's records to a registered consumer as an
/// <c>application/vnd.amazon.eventstream</c> response (over HTTP/2, or HTTP/1.1 chunked) for up to
/// <see cref="KinesisOptions.SubscriptionLifetime"/>. It first sends the initial-response event, then
/// a SubscribeToShardEvent with what is there, then one whenever records arrive (the storage node's
/// long poll wakes it; nothing polls) or after <see cref="KinesisOptions.SubscriptionHeartbeat"/> of
/// silence. At a closed shard's end the last event carries ChildShards and no continuation. Bad
/// requests are answered as ordinary Kinesis errors before the stream starts; trouble afterwards
/// ends the stream with an exception message.
/// </summary>
internal sealed partial class SubscribeToShardOperation(
    KinesisConsumerOperations consumers,
    StreamRouter router,
    RecordService records,
    SubscriptionRegistry registry,
    IOptions<KinesisOptions> options,
    TimeProvider time,
    ILogger<SubscribeToShardOperation> logger)
{
    public const string Operation = "SubscribeToShard";
    private const string InternalFailure = "InternalFailureException";

    public async Task SubscribeAsync(HttpContext context, KinesisCall call, ReadOnlyMemory<byte> body, bool cbor)
    {
        var aborted = context.RequestAborted;
        if (body.IsEmpty)
        {
            throw new KinesisException(KinesisException.Serialization, "The request body is empty: send a JSON object.");
        }

        var request = JsonSerializer.Deserialize(body.Span, KinesisConsumerJsonContext.Default.SubscribeToShardRequest)
            ?? throw new KinesisException(KinesisException.Serialization, "The request body must be a JSON object, not null.");
        var start = request.StartingPosition;
        new KinesisValidation()
            .Required(request.ConsumerARN, "consumerARN").ConsumerArn(request.ConsumerARN)
            .Required(request.ShardId, "shardId").ShardId(request.ShardId, "shardId")
            .Required(start, "startingPosition")
            .Required(start is null ? string.Empty : start.Type, "startingPosition.type")
            .OneOf(start?.Type, "startingPosition.type", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")
            .SequenceNumber(start?.SequenceNumber, "startingPosition.sequenceNumber")
            .ThrowIfAny();

        var consumerArn = request.ConsumerARN!;
        var consumer = await consumers.FindAsync(call, new ConsumerRequest { ConsumerARN = consumerArn }, aborted);
        var streamName = consumer.Stream!.Name;
        if (consumer.Status != ConsumerStatus.Active)
        {
            throw new KinesisException(KinesisException.ResourceInUse,
                $"Consumer {consumerArn} is {KinesisConsumerOperations.Status(consumer.Status)}, not ACTIVE: it can subscribe once it is ACTIVE.");
        }

        var route = await router.GetAsync(call.Tenant, streamName, aborted);
        if (route.Definition.Status != StreamStatus.Active)
        {
            throw new KinesisException(KinesisException.ResourceInUse,
                $"Stream {streamName} under account {call.Tenant.AccountId} is {route.Definition.Status.ToString().ToUpperInvariant()}, not ACTIVE.");
        }

        if (!ShardId.TryParse(request.ShardId, out var shardIndex) || !route.TryGetShard(shardIndex, out _))
        {
            throw new KinesisException(KinesisException.ResourceNotFound,
                $"Shard {request.ShardId} in stream {streamName} under account {call.Tenant.AccountId} does not exist");
        }

        var shardId = ShardId.Format(shardIndex);
        var target = new Target(call, streamName, shardIndex, shardId);

        // The first read settles the position (and refuses a bad one with an ordinary error)
        // before the shard's subscription is taken over from anyone.
        var first = await FirstReadAsync(target, start!, aborted);
        var subscription = await StartAsync(consumer.Id, consumerArn, target, aborted);
        try
        {
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = SubscribeToShardEventWriter.EventStreamContentType;
            await response.StartAsync(aborted);
            using var events = new SubscribeToShardEventWriter(response.BodyWriter, cbor);
            await PushAsync(target, consumerArn, subscription, first, events, aborted);
        }
        finally
        {
            await registry.EndAsync(subscription);
        }
    }

    private async Task<Subscription> StartAsync(long consumerId, string consumerArn, Target target, CancellationToken cancellationToken)
    {
        Subscription? subscription;
        try
        {
            subscription = await registry.TryStartAsync(consumerId, target.ShardIndex, cancellationToken);
        }
        catch (KeyNotFoundException)
        {
            throw new KinesisException(KinesisException.ResourceNotFound, $"Consumer {consumerArn} not found.");
        }

        return subscription ?? throw new KinesisException(KinesisException.ResourceInUse,
            $"Another subscription of consumer {consumerArn} to shard {target.ShardId} started less than {options.Value.SubscriptionTakeoverAfter.TotalSeconds:0.###} seconds ago; retry after that to take it over.");
    }

    private async Task<ReadOutcome> FirstReadAsync(Target target, StartingPosition start, CancellationToken cancellationToken)
    {
        ReadPosition position;
        switch (start.Type)
        {
            case "TRIM_HORIZON":
                position = new ReadPosition(ReadFrom.TrimHorizon);
                break;
            case "LATEST":
                position = new ReadPosition(ReadFrom.Latest);
                break;
            case "AT_TIMESTAMP":
                if (start.Timestamp is not { } timestamp)
                {
                    throw new KinesisException(KinesisException.InvalidArgument,
                        "Must specify timestamp for StartingPosition of type AT_TIMESTAMP. Current request has no timestamp parameter.");
                }

                position = new ReadPosition(ReadFrom.AtTimestamp, Timestamp: timestamp);
                break;
            default:
                position = new ReadPosition(ReadFrom.AtSequenceNumber, SequenceNumber.Encode(target.ShardIndex, StartingOffset(target, start)));
                break;
        }

        try
        {
            return await ReadAsync(target, position, maxWaitMs: 0, cancellationToken);
        }
        catch (SluiceException ex) when (ex.Code == SluiceErrorCode.PositionTrimmed)
        {
            // As GetRecords does: go on from the oldest record still held rather than leave the consumer stuck.
            return await ReadAsync(target, new ReadPosition(ReadFrom.TrimHorizon), maxWaitMs: 0, cancellationToken);
        }
    }

    private static long StartingOffset(Target target, StartingPosition start)
    {
        var sequenceNumber = start.SequenceNumber ?? throw new KinesisException(KinesisException.InvalidArgument,
            $"StartingPosition.SequenceNumber must be specified for StartingPosition type {start.Type}.");
        if (ContinuationSequenceNumber.TryDecodeShardStart(sequenceNumber, out var startShard))
        {
            // Nothing was ever before it: AT and AFTER both mean the shard's first record.
            return startShard == target.ShardIndex ? 0 : throw WrongShard(target, startShard);
        }

        if (!SequenceNumber.TryDecode(sequenceNumber, out var sequenceShard, out var offset))
        {
            throw new KinesisException(KinesisException.InvalidArgument,
                $"StartingSequenceNumber {sequenceNumber} used in SubscribeToShard on shard {target.ShardId} in stream {target.StreamName} under account {target.Call.Tenant.AccountId} is invalid.");
        }

        if (sequenceShard != target.ShardIndex)
        {
            throw WrongShard(target, sequenceShard);
        }

        return start.Type == "AFTER_SEQUENCE_NUMBER" ? offset + 1 : offset;
    }

    private static KinesisException WrongShard(Target target, int encodedShard) => new(KinesisException.InvalidArgument,
        $"Invalid StartingSequenceNumber. It encodes {ShardId.Format(encodedShard)}, while it was used in a call to a shard with {target.ShardId}");

    private async Task PushAsync(Target target, string consumerArn, Subscription subscription, ReadOutcome outcome, SubscribeToShardEventWriter events, CancellationToken aborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, subscription.Lost);
        var cancellationToken = linked.Token;
        var settings = options.Value;
        var deadline = time.GetUtcNow() + settings.SubscriptionLifetime;
        try
        {
            if (!await events.WriteInitialResponseAsync(cancellationToken))
            {
                return;
            }

            while (true)
            {
                // The read path says when a closed shard was read to its end, and which shards continue it.
                if (outcome.ChildShards is { } children)
                {
                    await events.WriteEventAsync(outcome, continuation: null, millisBehindLatest: 0, children, cancellationToken);
                    return;
                }

                var continuation = ContinuationSequenceNumber.Of(target.ShardIndex, outcome.NextOffset);
                if (!await events.WriteEventAsync(outcome, continuation, outcome.MillisBehindLatest, children: null, cancellationToken))
                {
                    return;
                }

                var remaining = deadline - time.GetUtcNow();
                if (remaining <= TimeSpan.Zero)
                {
                    // The subscription's time is up: end the response cleanly; the client subscribes again.
                    return;
                }

                var wait = remaining < settings.SubscriptionHeartbeat ? remaining : settings.SubscriptionHeartbeat;
                var next = SequenceNumber.Encode(target.ShardIndex, outcome.NextOffset);
                try
                {
                    outcome = await ReadAsync(target, new ReadPosition(ReadFrom.AtSequenceNumber, next), (int)Math.Ceiling(wait.TotalMilliseconds), cancellationToken);
                }
                catch (SluiceException ex) when (ex.Code == SluiceErrorCode.PositionTrimmed)
                {
                    // Retention overtook a slow consumer: go on from the oldest record still held, as GetRecords does.
                    outcome = await ReadAsync(target, new ReadPosition(ReadFrom.TrimHorizon), maxWaitMs: 0, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (OperationCanceledException) when (subscription.Lost.IsCancellationRequested)
        {
            var (type, message) = subscription.State == SubscriptionLeaseState.TakenOver
                ? (KinesisException.ResourceInUse, $"A newer subscription of consumer {consumerArn} to shard {target.ShardId} took this one over.")
                : (KinesisException.ResourceNotFound, $"Consumer {consumerArn} is no longer registered and ACTIVE.");
            await TryWriteExceptionAsync(events, type, message, aborted);
        }
        catch (SluiceException ex) when (ex.Code == SluiceErrorCode.NotFound)
        {
            await TryWriteExceptionAsync(events, KinesisException.ResourceNotFound, ex.Message, aborted);
        }
        catch (SluiceException ex)
        {
            await TryWriteExceptionAsync(events, InternalFailure, ex.Code == SluiceErrorCode.Unavailable ? ex.Message : "Internal service failure.", aborted);
        }
        catch (Exception ex) when (!aborted.IsCancellationRequested)
        {
            LogSubscriptionFailed(logger, ex, consumerArn, target.ShardId);
            await TryWriteExceptionAsync(events, InternalFailure, "Internal service failure.", aborted);
        }
    }

    private static async Task TryWriteExceptionAsync(SubscribeToShardEventWriter events, string type, string message, CancellationToken aborted)
    {
        try
        {
            await events.WriteExceptionAsync(type, message, aborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The client is gone; there is no one to tell.
        }
    }

    private Task<ReadOutcome> ReadAsync(Target target, ReadPosition position, int maxWaitMs, CancellationToken cancellationToken) =>
        records.GetAsync(target.Call.Tenant, target.StreamName, target.ShardId, position, Limits.MaxGetRecords, maxWaitMs, ReadMetering.BytesOnly, cancellationToken);

    [LoggerMessage(Level = LogLevel.Error, Message = "SubscribeToShard of {ConsumerArn} to {ShardId} failed")]
    private static partial void LogSubscriptionFailed(ILogger logger, Exception exception, string consumerArn, string shardId);

    private sealed record Target(KinesisCall Call, string StreamName, int ShardIndex, string ShardId);
}
