using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Sluice.Core;
using Sluice.Gateway.Kinesis.EventStream;
using Sluice.Gateway.Kinesis.Protocol;
using Sluice.Gateway.Records;
using Sluice.Gateway.Routing;

namespace Sluice.Gateway.Kinesis.Consumers;

/// <summary>
/// Writes a SubscribeToShard response body: event-stream messages (see
/// <see cref="EventStreamEncoder"/>) whose payloads are JSON, or CBOR when the request was CBOR
/// (the Java SDK reads every payload with its protocol's parser). Payloads are built in pooled
/// buffers reused from one event to the next, records straight from the storage encoding.
/// </summary>
internal sealed class SubscribeToShardEventWriter : IDisposable
{
    public const string EventStreamContentType = "application/vnd.amazon.eventstream";
    public const string EventType = "SubscribeToShardEvent";
    private const string JsonPayloadType = "application/json";

    private static readonly byte[] InitialResponseJson = Headers("initial-response", JsonPayloadType);
    private static readonly byte[] InitialResponseCbor = Headers("initial-response", KinesisEndpoint.CborContentType);
    private static readonly byte[] EventJson = Headers(EventType, JsonPayloadType);
    private static readonly byte[] EventCbor = Headers(EventType, KinesisEndpoint.CborContentType);

    private readonly PipeWriter _output;
    private readonly bool _cbor;
    private readonly PooledBufferWriter _json = new();
    private readonly PooledBufferWriter _converted = new();
    private readonly Utf8JsonWriter _writer;

    public SubscribeToShardEventWriter(PipeWriter output, bool cbor)
    {
        _output = output;
        _cbor = cbor;
        _writer = new Utf8JsonWriter(_json);
    }

    /// <summary>The first message: the operation's (empty) output, as Kinesis sends it.</summary>
    public ValueTask<bool> WriteInitialResponseAsync(CancellationToken cancellationToken)
    {
        _json.Clear();
        _json.Write("{}"u8);
        return WriteAsync(_cbor ? InitialResponseCbor : InitialResponseJson, cancellationToken);
    }

    /// <summary>
    /// A SubscribeToShardEvent with the records of <paramref name="outcome"/> (shaped as GetRecords'
    /// records). At the shard's end <paramref name="continuation"/> is null and
    /// <paramref name="children"/> the shards that continue it.
    /// </summary>
    public ValueTask<bool> WriteEventAsync(
        ReadOutcome outcome, string? continuation, long millisBehindLatest, IReadOnlyList<ShardRoute>? children, CancellationToken cancellationToken)
    {
        _json.Clear();
        _writer.Reset(_json);
        _writer.WriteStartObject();
        KinesisRecordOperations.WriteRecords(_writer, outcome);
        if (continuation is not null)
        {
            _writer.WriteString("ContinuationSequenceNumber"u8, continuation);
        }

        _writer.WriteNumber("MillisBehindLatest"u8, millisBehindLatest);
        if (children is not null)
        {
            KinesisRecordOperations.WriteChildShards(_writer, children);
        }

        _writer.WriteEndObject();
        _writer.Flush();
        return WriteAsync(_cbor ? EventCbor : EventJson, cancellationToken);
    }

    /// <summary>An exception message (<c>:message-type exception</c>) ending the stream, e.g. ResourceInUseException.</summary>
    public ValueTask<bool> WriteExceptionAsync(string exceptionType, string message, CancellationToken cancellationToken)
    {
        _json.Clear();
        _writer.Reset(_json);
        _writer.WriteStartObject();
        _writer.WriteString("message"u8, message);
        _writer.WriteEndObject();
        _writer.Flush();
        var headers = EventStreamEncoder.EncodeHeaders(
            (":message-type", "exception"),
            (":exception-type", exceptionType),
            (":content-type", _cbor ? KinesisEndpoint.CborContentType : JsonPayloadType));
        return WriteAsync(headers, cancellationToken);
    }

    public void Dispose()
    {
        _writer.Dispose();
        _json.Dispose();
        _converted.Dispose();
    }

    private static byte[] Headers(string eventType, string contentType) => EventStreamEncoder.EncodeHeaders(
        (":message-type", "event"),
        (":event-type", eventType),
        (":content-type", contentType));

    /// <summary>Frames the payload in <see cref="_json"/> and flushes it to the client; false once the client is gone.</summary>
    private async ValueTask<bool> WriteAsync(byte[] headers, CancellationToken cancellationToken)
    {
        var payload = _json.WrittenSpan;
        if (_cbor)
        {
            _converted.Clear();
            KinesisCbor.FromJson(payload, _converted);
            payload = _converted.WrittenSpan;
        }

        EventStreamEncoder.Write(_output, headers, payload);
        var flushed = await _output.FlushAsync(cancellationToken);
        return !flushed.IsCompleted && !flushed.IsCanceled;
    }
}
