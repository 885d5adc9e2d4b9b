using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;
using Sluice.Core;
using Sluice.Gateway.Auth;
using Sluice.Gateway.Kinesis.Auth;
using Sluice.Gateway.Kinesis.Consumers;
using Sluice.Gateway.Kinesis.Protocol;
using Sluice.Metadata;

namespace Sluice.Gateway.Kinesis;

/// <summary>
/// Amazon Kinesis Data Streams' own protocol (<c>Kinesis_20131202</c>), so the AWS SDKs, the AWS CLI
/// and the KCL work against Sluice by changing only the endpoint and credentials:
/// <c>POST /</c> with <c>X-Amz-Target: Kinesis_20131202.&lt;Operation&gt;</c>, an
/// <c>application/x-amz-json-1.1</c> body (or <c>application/x-amz-cbor-1.1</c>, the Java SDKs'
/// default, bridged to the same JSON handling by <see cref="KinesisCbor"/>), AWS Signature V4 with the tenant's access keys, and
/// Kinesis' own errors (<c>{"__type", "message"}</c>). Served on every listener: HTTP/1.1 for the
/// CLI and boto3, cleartext HTTP/2 for SDKs that speak it.
/// </summary>
internal static partial class KinesisEndpoint
{
    public const string JsonContentType = "application/x-amz-json-1.1";
    public const string CborContentType = "application/x-amz-cbor-1.1";
    private const string TargetPrefix = "Kinesis_20131202.";
    private const int MaxBodyBytes = 16 * 1024 * 1024;

    public static IEndpointRouteBuilder MapKinesisApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/", HandleAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var response = context.Response;
        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        response.Headers["x-amz-id-2"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var operation = string.Empty;
        var cbor = false;
        try
        {
            var target = context.Request.Headers["X-Amz-Target"].ToString();
            operation = target.StartsWith(TargetPrefix, StringComparison.Ordinal) ? target[TargetPrefix.Length..] : string.Empty;
            var contentType = context.Request.ContentType;
            cbor = contentType is not null && contentType.StartsWith(CborContentType, StringComparison.OrdinalIgnoreCase);
            if (!cbor && (contentType is null || !contentType.StartsWith(JsonContentType, StringComparison.OrdinalIgnoreCase)))
            {
                throw new KinesisException(KinesisException.Serialization,
                    $"Content-Type '{contentType}' is not supported: send {JsonContentType} or {CborContentType}.");
            }

            var body = await ReadBodyAsync(context);
            var call = await AuthenticateAsync(context, body, operation, services);
            if (cbor && !body.IsEmpty)
            {
                body = KinesisCbor.ToJson(body);
            }
            if (operation.Length == 0)
            {
                throw new KinesisException(KinesisException.UnknownOperation, $"Unknown operation '{target}': X-Amz-Target must be {TargetPrefix}<Operation>.");
            }

            if (operation == SubscribeToShardOperation.Operation)
            {
                // Streams its own response (an event stream) for minutes.
                await services.GetRequiredService<SubscribeToShardOperation>().SubscribeAsync(context, call, body, cbor);
                return;
            }

            var answer = await DispatchAsync(operation, call, body, services, context.RequestAborted);
            if (call.Access is not null && !call.Authorized)
            {
                // An operation on a stream that never asked the ACLs is a bug: answer nothing it produced.
                throw new InvalidOperationException($"Kinesis {operation} completed without authorising its stream.");
            }

            if (cbor)
            {
                answer = KinesisCbor.FromJson(answer.Span);
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = cbor ? CborContentType : JsonContentType;
            response.ContentLength = answer.Length;
            await response.Body.WriteAsync(answer, context.RequestAborted);
        }
        catch (KinesisException ex)
        {
            await WriteErrorAsync(context, ex, cbor);
        }
        catch (KinesisSerializationException ex) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, new KinesisException(KinesisException.Serialization, ex.Message), cbor);
        }
        catch (SluiceException ex)
        {
            await WriteErrorAsync(context, KinesisException.From(ex), cbor);
        }
        catch (JsonException ex)
        {
            await WriteErrorAsync(context, new KinesisException(KinesisException.Serialization, SerializationMessage(ex)), cbor);
        }
        catch (BadHttpRequestException ex)
        {
            await WriteErrorAsync(context, new KinesisException(KinesisException.Serialization, ex.Message, ex.StatusCode), cbor);
        }
        catch (Exception ex) when (MetadataDatabase.IsTransient(ex))
        {
            await WriteErrorAsync(context, new KinesisException(KinesisException.ServiceUnavailable,
                "The metadata store is unavailable; retry later.", StatusCodes.Status503ServiceUnavailable), cbor);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception ex)
        {
            LogFailure(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(KinesisEndpoint)), ex, operation);
            await WriteErrorAsync(context, new KinesisException(KinesisException.InternalFailure, "Internal service failure.", StatusCodes.Status500InternalServerError), cbor);
        }
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext context)
    {
        var length = context.Request.ContentLength;
        if (length > MaxBodyBytes)
        {
            throw new KinesisException(KinesisException.Serialization, $"The request body of {length} bytes is over the limit of {MaxBodyBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        var buffer = new ArrayBufferWriter<byte>((int)(length ?? 4096));
        var reader = context.Request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(context.RequestAborted);
            foreach (var segment in read.Buffer)
            {
                if (buffer.WrittenCount + segment.Length > MaxBodyBytes)
                {
                    throw new KinesisException(KinesisException.Serialization, $"The request body is over the limit of {MaxBodyBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
                }

                buffer.Write(segment.Span);
            }

            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return buffer.WrittenMemory;
            }
        }
    }

    private static async Task<KinesisCall> AuthenticateAsync(HttpContext context, ReadOnlyMemory<byte> body, string operation, IServiceProvider services)
    {
        var request = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = query < 0 ? rawTarget : rawTarget[..query];
        var rawQuery = query < 0 ? string.Empty : rawTarget[(query + 1)..];
        var verifier = services.GetRequiredService<SigV4Verifier>();
        var time = services.GetRequiredService<TimeProvider>();
        var result = await verifier.VerifyAsync(new SigV4Request(request.Method, rawPath, rawQuery, request.Headers), body.Span, time.GetUtcNow(), context.RequestAborted);
        if (result.Error is { } error)
        {
            throw new KinesisException(error.Type, error.Message, error.StatusCode);
        }

        var keys = services.GetRequiredService<AccessKeyStore>();
        var credentials = await keys.FindActiveAsync(result.AccessKeyId!, context.RequestAborted)
            ?? throw new KinesisException(SigV4ErrorTypes.UnrecognizedClient, "The security token included in the request is invalid.");
        // A key whose service account was disabled or deleted is refused exactly like an unknown key.
        var caller = await services.GetRequiredService<CallerResolver>().ResolveAsync(credentials, context.RequestAborted)
            ?? throw new KinesisException(SigV4ErrorTypes.UnrecognizedClient, "The security token included in the request is invalid.");
        keys.TouchLastUsed(credentials.AccessKeyId);
        return new KinesisCall(caller, result.Region!, operation, AccessOf(operation));
    }

    /// <summary>
    /// What each operation needs from the ACLs: puts produce; iterators, reads, subscriptions and consumer registration consume; creating,
    /// deleting, changing and resharding manage; describing needs any one of the three. ListStreams (filtered to the streams the caller
    /// may see) and DescribeLimits name no stream.
    /// </summary>
    internal static StreamAccessKind? AccessOf(string operation) => operation switch
    {
        "PutRecord" or "PutRecords" => StreamAccessKind.Produce,
        "GetShardIterator" or "GetRecords" or "SubscribeToShard" or "RegisterStreamConsumer" or "DeregisterStreamConsumer" => StreamAccessKind.Consume,
        "CreateStream" or "DeleteStream" or "IncreaseStreamRetentionPeriod" or "DecreaseStreamRetentionPeriod" or "AddTagsToStream" or "RemoveTagsFromStream"
            or "StartStreamEncryption" or "StopStreamEncryption" or "SplitShard" or "MergeShards" or "UpdateShardCount" or "UpdateStreamMode" => StreamAccessKind.Manage,
        "ListStreams" or "DescribeLimits" => null,
        // Describing: DescribeStream, DescribeStreamSummary, ListShards, ListStreamConsumers, DescribeStreamConsumer, ListTagsForStream,
        // and any operation added later until it is given its own line here.
        _ => StreamAccessKind.Any,
    };

    private static async Task<ReadOnlyMemory<byte>> DispatchAsync(string operation, KinesisCall call, ReadOnlyMemory<byte> body, IServiceProvider services, CancellationToken cancellationToken)
    {
        var streams = services.GetRequiredService<KinesisStreamOperations>();
        var records = services.GetRequiredService<KinesisRecordOperations>();
        var consumers = services.GetRequiredService<KinesisConsumerOperations>();
        var reshards = services.GetRequiredService<KinesisReshardOperations>();
        var reshardJson = KinesisReshardJsonContext.Default;
        var json = KinesisJsonContext.Default;
        object? answer = operation switch
        {
            "PutRecords" => await records.PutRecordsAsync(call, Parse(body, json.PutRecordsRequest), cancellationToken),
            "GetRecords" => await records.GetRecordsAsync(call, Parse(body, json.GetRecordsRequest), cancellationToken),
            "PutRecord" => await records.PutRecordAsync(call, Parse(body, json.PutRecordRequest), cancellationToken),
            "GetShardIterator" => await records.GetShardIteratorAsync(call, Parse(body, json.GetShardIteratorRequest), cancellationToken),
            "CreateStream" => await streams.CreateStreamAsync(call, Parse(body, json.CreateStreamRequest), cancellationToken),
            "DeleteStream" => await streams.DeleteStreamAsync(call, Parse(body, json.DeleteStreamRequest), cancellationToken),
            "DescribeStream" => await streams.DescribeStreamAsync(call, Parse(body, json.DescribeStreamRequest), cancellationToken),
            "DescribeStreamSummary" => await streams.DescribeStreamSummaryAsync(call, Parse(body, json.StreamRequest), cancellationToken),
            "ListStreams" => await streams.ListStreamsAsync(call, Parse(body, json.ListStreamsRequest), cancellationToken),
            "ListShards" => await streams.ListShardsAsync(call, Parse(body, json.ListShardsRequest), cancellationToken),
            "IncreaseStreamRetentionPeriod" => await streams.ChangeRetentionAsync(call, Parse(body, json.RetentionPeriodRequest), increase: true, cancellationToken),
            "DecreaseStreamRetentionPeriod" => await streams.ChangeRetentionAsync(call, Parse(body, json.RetentionPeriodRequest), increase: false, cancellationToken),
            "AddTagsToStream" => await streams.AddTagsAsync(call, Parse(body, json.AddTagsToStreamRequest), cancellationToken),
            "RemoveTagsFromStream" => await streams.RemoveTagsAsync(call, Parse(body, json.RemoveTagsFromStreamRequest), cancellationToken),
            "ListTagsForStream" => await streams.ListTagsAsync(call, Parse(body, json.ListTagsForStreamRequest), cancellationToken),
            "StartStreamEncryption" => await streams.SetEncryptionAsync(call, Parse(body, json.StreamEncryptionRequest), start: true, cancellationToken),
            "StopStreamEncryption" => await streams.SetEncryptionAsync(call, Parse(body, json.StreamEncryptionRequest), start: false, cancellationToken),
            "DescribeLimits" => await streams.DescribeLimitsAsync(call, cancellationToken),
            "RegisterStreamConsumer" => await consumers.RegisterAsync(call, body, cancellationToken),
            "DescribeStreamConsumer" => await consumers.DescribeAsync(call, body, cancellationToken),
            "ListStreamConsumers" => await consumers.ListAsync(call, body, cancellationToken),
            "DeregisterStreamConsumer" => await consumers.DeregisterAsync(call, body, cancellationToken),
            "SplitShard" => await reshards.SplitShardAsync(call, Parse(body, reshardJson.SplitShardRequest), cancellationToken),
            "MergeShards" => await reshards.MergeShardsAsync(call, Parse(body, reshardJson.MergeShardsRequest), cancellationToken),
            "UpdateShardCount" => await reshards.UpdateShardCountAsync(call, Parse(body, reshardJson.UpdateShardCountRequest), cancellationToken),
            _ => throw new KinesisException(KinesisException.UnknownOperation, $"Operation {operation} is not supported."),
        };

        return answer switch
        {
            null => "{}"u8.ToArray(),
            byte[] bytes => bytes,
            _ => JsonSerializer.SerializeToUtf8Bytes(answer, answer.GetType(), json),
        };
    }

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

    private static async Task WriteErrorAsync(HttpContext context, KinesisException error, bool cbor)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }

        response.StatusCode = error.StatusCode;
        response.ContentType = cbor ? CborContentType : JsonContentType;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse(error.Type, error.Message), KinesisJsonContext.Default.ErrorResponse);
        if (cbor)
        {
            bytes = KinesisCbor.FromJson(bytes);
        }

        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private static string SerializationMessage(JsonException ex) =>
        ex.Path is { Length: > 1 } path
            ? $"The request body could not be read at {path}: {ex.Message.Split(" Path:", 2)[0]}"
            : $"The request body is not valid JSON: {ex.Message.Split(" Path:", 2)[0]}";

    [LoggerMessage(Level = LogLevel.Error, Message = "Kinesis {Operation} failed")]
    private static partial void LogFailure(ILogger logger, Exception exception, string operation);
}
