using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Gateway.Routing;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Kinesis.Consumers;

/// <summary>
/// Kinesis' enhanced fan-out consumer operations (Register/Describe/List/DeregisterStreamConsumer)
/// over <see cref="ConsumerCatalog"/>. Answers are JSON bytes of their own serializer context.
/// </summary>
internal sealed class KinesisConsumerOperations(
    ConsumerCatalog consumers, StreamRouter router, ConsumerLifecycle lifecycle, IOptions<KinesisOptions> options)
{
    private const int DefaultListResults = 100;
    private const int MaxListResults = 100;
    private const string ListOperation = "ListStreamConsumers";

    public async Task<byte[]> RegisterAsync(KinesisCall call, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var request = Parse(body, KinesisConsumerJsonContext.Default.RegisterStreamConsumerRequest);
        new KinesisValidation()
            .Required(request.StreamARN, "streamARN").StreamArn(request.StreamARN)
            .Required(request.ConsumerName, "consumerName").ConsumerName(request.ConsumerName)
            .ThrowIfAny();
        var streamName = StreamNameOf(call, request.StreamARN!);
        var route = await router.GetAsync(call.Tenant, streamName, cancellationToken);
        RequireActive(call, route.Definition);

        var limits = options.Value;
        var registration = await consumers.RegisterAsync(
            call.Tenant.Id, streamName, request.ConsumerName!, limits.MaxConsumersPerStream, limits.MaxCreatingConsumersPerStream, cancellationToken);
        switch (registration.Outcome)
        {
            case ConsumerRegistrationOutcome.Registered:
                var consumer = registration.Consumer!;
                lifecycle.Wake();
                return Serialize(new RegisterStreamConsumerResponse(ToModel(call, streamName, consumer)), KinesisConsumerJsonContext.Default.RegisterStreamConsumerResponse);
            case ConsumerRegistrationOutcome.StreamNotFound:
                throw StreamNotFound(call, streamName);
            case ConsumerRegistrationOutcome.NameInUse:
                throw new KinesisException(KinesisException.ResourceInUse,
                    $"Consumer {request.ConsumerName} under stream {streamName} under account {call.Tenant.AccountId} already exists.");
            case ConsumerRegistrationOutcome.ConsumerLimit:
                throw new KinesisException(KinesisException.LimitExceeded,
                    $"Stream {streamName} under account {call.Tenant.AccountId} already has {limits.MaxConsumersPerStream} registered consumers, the most a stream may have; deregister one first.");
            default:
                throw new KinesisException(KinesisException.LimitExceeded,
                    $"Stream {streamName} under account {call.Tenant.AccountId} already has {limits.MaxCreatingConsumersPerStream} consumers in CREATING status, the most at a time; wait until one is ACTIVE.");
        }
    }

    public async Task<byte[]> DescribeAsync(KinesisCall call, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var request = Parse(body, KinesisConsumerJsonContext.Default.ConsumerRequest);
        var consumer = await FindAsync(call, request, cancellationToken);
        var streamName = consumer.Stream!.Name;
        return Serialize(
            new DescribeStreamConsumerResponse(new ConsumerDescriptionModel(
                consumer.Name,
                ConsumerArn.Format(call, streamName, consumer.Name, consumer.CreatedAt),
                Status(consumer.Status),
                consumer.CreatedAt,
                call.StreamArn(streamName))),
            KinesisConsumerJsonContext.Default.DescribeStreamConsumerResponse);
    }

    public async Task<byte[]> ListAsync(KinesisCall call, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var request = Parse(body, KinesisConsumerJsonContext.Default.ListStreamConsumersRequest);
        new KinesisValidation()
            .Required(request.StreamARN, "streamARN").StreamArn(request.StreamARN)
            .Range(request.MaxResults, 1, 10_000, "maxResults")
            .Length(request.NextToken, 1, 1048, "nextToken")
            .ThrowIfAny();
        var streamName = StreamNameOf(call, request.StreamARN!);
        var afterId = 0L;
        if (request.NextToken is { } token)
        {
            if (request.StreamCreationTimestamp is not null)
            {
                throw new KinesisException(KinesisException.InvalidArgument, "NextToken and StreamCreationTimestamp cannot be provided together.");
            }

            afterId = OpenToken(token, streamName);
        }

        var limit = Math.Min(request.MaxResults ?? DefaultListResults, MaxListResults);
        var listed = await consumers.ListAsync(call.Tenant.Id, streamName, afterId, limit, cancellationToken);
        if (listed is not var (stream, page, hasMore)
            || (request.StreamCreationTimestamp is { } created && created.ToUnixTimeSeconds() != stream.CreatedAt.ToUnixTimeSeconds()))
        {
            // A stream of that name created at another time is not the one asked for.
            throw StreamNotFound(call, streamName);
        }

        return Serialize(
            new ListStreamConsumersResponse(
                [.. page.Select(c => ToModel(call, streamName, c))],
                hasMore ? Token(streamName, page[^1].Id) : null),
            KinesisConsumerJsonContext.Default.ListStreamConsumersResponse);
    }

    public async Task<byte[]> DeregisterAsync(KinesisCall call, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var request = Parse(body, KinesisConsumerJsonContext.Default.ConsumerRequest);
        var consumer = await FindAsync(call, request, cancellationToken);
        var deregistered = await consumers.DeregisterAsync(call.Tenant.Id, consumer.Stream!.Name, consumer.Name, cancellationToken)
            ?? throw ConsumerNotFound(call, consumer.Stream.Name, consumer.Name);
        lifecycle.Wake();
        return "{}"u8.ToArray();
    }

    /// <summary>
    /// The caller's consumer a request names: by ConsumerARN, or by StreamARN and ConsumerName.
    /// Another account's consumer, and one deregistered and registered again since its ARN was
    /// made, answer exactly like a missing one.
    /// </summary>
    public async Task<StreamConsumer> FindAsync(KinesisCall call, ConsumerRequest request, CancellationToken cancellationToken)
    {
        new KinesisValidation()
            .StreamArn(request.StreamARN)
            .ConsumerName(request.ConsumerName)
            .ConsumerArn(request.ConsumerARN)
            .ThrowIfAny();
        string streamName;
        string consumerName;
        long? createdEpochSeconds = null;
        if (request.ConsumerARN is { } arn)
        {
            if (!ConsumerArn.TryParse(arn, out var parsed))
            {
                throw new KinesisException(KinesisException.InvalidArgument, $"ConsumerARN {arn} is not the ARN of a stream consumer.");
            }

            if ((request.ConsumerName is not null && request.ConsumerName != parsed.ConsumerName)
                || (request.StreamARN is not null && StreamNameOf(call, request.StreamARN) != parsed.StreamName))
            {
                throw new KinesisException(KinesisException.InvalidArgument, $"ConsumerARN {arn} does not name the consumer that StreamARN and ConsumerName name.");
            }

            if (parsed.AccountId != call.Tenant.AccountId)
            {
                throw new KinesisException(KinesisException.ResourceNotFound,
                    $"Consumer {parsed.ConsumerName} under stream {parsed.StreamName} under account {parsed.AccountId} not found.");
            }

            call.Authorize(parsed.StreamName);
            (streamName, consumerName, createdEpochSeconds) = (parsed.StreamName, parsed.ConsumerName, parsed.CreatedEpochSeconds);
        }
        else if (request.StreamARN is not null && request.ConsumerName is not null)
        {
            (streamName, consumerName) = (StreamNameOf(call, request.StreamARN), request.ConsumerName);
        }
        else
        {
            throw new KinesisException(KinesisException.InvalidArgument, "Either ConsumerARN, or both StreamARN and ConsumerName, must be provided.");
        }

        var consumer = await consumers.FindAsync(call.Tenant.Id, streamName, consumerName, cancellationToken);
        if (consumer is null || (createdEpochSeconds is { } created && consumer.CreatedAt.ToUnixTimeSeconds() != created))
        {
            throw ConsumerNotFound(call, streamName, consumerName);
        }

        return consumer;
    }

    /// <summary>Kinesis' ConsumerStatus of a status.</summary>
    public static string Status(ConsumerStatus status) => status switch
    {
        ConsumerStatus.Creating => "CREATING",
        ConsumerStatus.Active => "ACTIVE",
        _ => "DELETING",
    };

    public static KinesisException ConsumerNotFound(KinesisCall call, string streamName, string consumerName) =>
        new(KinesisException.ResourceNotFound, $"Consumer {consumerName} under stream {streamName} under account {call.Tenant.AccountId} not found.");

    private static ConsumerModel ToModel(KinesisCall call, string streamName, StreamConsumer consumer) => new(
        consumer.Name, ConsumerArn.Format(call, streamName, consumer.Name, consumer.CreatedAt), Status(consumer.Status), consumer.CreatedAt);

    private static string StreamNameOf(KinesisCall call, string streamArn) =>
        KinesisStreamOperations.StreamName(call, new StreamRequest { StreamARN = streamArn });

    private static void RequireActive(KinesisCall call, StreamDefinition stream)
    {
        if (stream.Status != StreamStatus.Active)
        {
            throw new KinesisException(KinesisException.ResourceInUse,
                $"Stream {stream.Name} under account {call.Tenant.AccountId} is {stream.Status.ToString().ToUpperInvariant()}, not ACTIVE.");
        }
    }

    private static KinesisException StreamNotFound(KinesisCall call, string streamName) =>
        new(KinesisException.ResourceNotFound, $"Stream {streamName} under account {call.Tenant.AccountId} not found.");

    private static T Parse<T>(ReadOnlyMemory<byte> body, JsonTypeInfo<T> type)
        where T : class
    {
        if (body.IsEmpty)
        {
            throw new KinesisException(KinesisException.Serialization, "The request body is empty: send a JSON object.");
        }

        return JsonSerializer.Deserialize(body.Span, type)
            ?? throw new KinesisException(KinesisException.Serialization, "The request body must be a JSON object, not null.");
    }

    private static byte[] Serialize<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    // The page token names the stream (so it is not used with another) and the last consumer
    // listed; not a secret, only opaque to discourage building it.
    private static string Token(string streamName, long lastId) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{ListOperation}\n{streamName}\n{lastId}")));

    private static long OpenToken(string token, string streamName)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('\n');
            if (parts.Length == 3 && parts[0] == ListOperation && parts[1] == streamName
                && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var lastId))
            {
                return lastId;
            }
        }
        catch (FormatException)
        {
        }

        throw new KinesisException(KinesisException.InvalidArgument,
            "The NextToken is not valid for this stream: pass the NextToken of the previous page as it was returned, with the same StreamARN.");
    }
}
