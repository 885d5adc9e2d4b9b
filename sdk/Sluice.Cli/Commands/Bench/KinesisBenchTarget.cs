using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Sluice.Cli.Commands.Bench;

/// <summary>
/// Drives Sluice's Kinesis-compatible API (<c>POST /</c>, <c>Kinesis_20131202.*</c>, JSON, SigV4)
/// as an AWS SDK would: PutRecords batches, and GetShardIterator/GetRecords polling per shard.
/// </summary>
internal sealed class KinesisBenchTarget : IBenchTarget
{
    private const string ContentType = "application/x-amz-json-1.1";
    private const string TargetPrefix = "Kinesis_20131202.";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);

    private readonly HttpClient _http;
    private readonly KinesisSigner _signer;
    private readonly string _host;

    public KinesisBenchTarget(Uri endpoint, KinesisSigner signer)
    {
        Endpoint = endpoint;
        _signer = signer;
        _host = endpoint.Authority;
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5), ConnectTimeout = TimeSpan.FromSeconds(10) };
        _http = new HttpClient(handler, disposeHandler: true) { BaseAddress = endpoint, Timeout = RequestTimeout };
    }

    public Uri Endpoint { get; }

    public async Task<IReadOnlyList<string>> CreateStreamAsync(string name, int shards, CancellationToken cancellationToken)
    {
        using (await CallAsync("CreateStream", w =>
        {
            w.WriteString("StreamName", name);
            w.WriteNumber("ShardCount", shards);
        }, cancellationToken))
        {
        }

        return await BenchStreams.WaitUntilActiveAsync(name, async ct =>
        {
            using var summary = await CallAsync("DescribeStreamSummary", w => w.WriteString("StreamName", name), ct);
            var status = summary.RootElement.GetProperty("StreamDescriptionSummary").GetProperty("StreamStatus").GetString() ?? "UNKNOWN";
            return (status, status == "ACTIVE" ? await DescribeShardsAsync(name, ct) : []);
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> DescribeShardsAsync(string name, CancellationToken cancellationToken)
    {
        using var answer = await CallAsync("ListShards", w =>
        {
            w.WriteString("StreamName", name);
            w.WriteStartObject("ShardFilter");
            w.WriteString("Type", "AT_LATEST");
            w.WriteEndObject();
        }, cancellationToken);
        return [.. answer.RootElement.GetProperty("Shards").EnumerateArray().Select(s => s.GetProperty("ShardId").GetString()!)];
    }

    public async Task DeleteStreamAsync(string name, CancellationToken cancellationToken)
    {
        using var _ = await CallAsync("DeleteStream", w => w.WriteString("StreamName", name), cancellationToken);
    }

    public IBenchSender CreateSender(string stream, BenchSettings settings, int seed) => new Sender(this, stream, settings, seed);

    public async Task ConsumeAsync(
        string stream, string shardId, bool fromLatest, TimeSpan pollInterval, BenchConsumerSink sink, TaskCompletionSource ready, CancellationToken cancellationToken)
    {
        string? iterator = null;
        var pacer = new BenchPollPacer(pollInterval);
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            JsonDocument page;
            try
            {
                if (iterator is null)
                {
                    using var answer = await CallAsync("GetShardIterator", w =>
                    {
                        w.WriteString("StreamName", stream);
                        w.WriteString("ShardId", shardId);
                        w.WriteString("ShardIteratorType", fromLatest ? "LATEST" : "TRIM_HORIZON");
                    }, cancellationToken);
                    iterator = answer.RootElement.GetProperty("ShardIterator").GetString();
                }

                var current = iterator;
                page = await CallAsync("GetRecords", w =>
                {
                    w.WriteString("ShardIterator", current);
                    w.WriteNumber("Limit", BenchStreams.ConsumerReadLimit);
                }, cancellationToken);
            }
            catch (KinesisCallException e) when (e.IsRetriable)
            {
                await Task.Delay(RetryPause, cancellationToken);
                continue;
            }

            ready.TrySetResult();
            var count = 0;
            using (page)
            {
                foreach (var record in page.RootElement.GetProperty("Records").EnumerateArray())
                {
                    if (record.GetProperty("Data").TryGetBytesFromBase64(out var bytes))
                    {
                        sink.OnRecord(bytes);
                    }

                    count++;
                }

                iterator = page.RootElement.TryGetProperty("NextShardIterator", out var next) ? next.GetString() : null;
            }

            if (iterator is null)
            {
                return; // a closed shard read to its end
            }

            var pause = pacer.PauseBeforeNextRead(started, empty: count == 0);
            if (pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, cancellationToken);
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonDocument> CallAsync(string operation, Action<Utf8JsonWriter> body, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return await SendAsync(operation, buffer.WrittenMemory, cancellationToken);
    }

    private async Task<JsonDocument> SendAsync(string operation, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
        _signer.Sign(request, _host, TargetPrefix + operation, ContentType, body.Span);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var type = "error";
            var message = string.Empty;
            try
            {
                using var error = JsonDocument.Parse(bytes);
                type = error.RootElement.TryGetProperty("__type", out var t) ? t.GetString() ?? type : type;
                message = error.RootElement.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : string.Empty;
            }
            catch (JsonException)
            {
                // Not Kinesis-shaped: the status says enough.
            }

            throw new KinesisCallException(response.StatusCode, $"{operation}: {type} (HTTP {(int)response.StatusCode}) {message}");
        }

        return JsonDocument.Parse(bytes);
    }

    /// <summary>Writes each PutRecords body into one reused buffer (base64 straight from the payload).</summary>
    private sealed class Sender : IBenchSender
    {
        private readonly KinesisBenchTarget _target;
        private readonly string _stream;
        private readonly byte[] _payload;
        private readonly int _recordSize;
        private readonly bool _jsonRecords;
        private readonly int _batchSize;
        private readonly Random _random;
        private readonly ArrayBufferWriter<byte> _body;
        private readonly Utf8JsonWriter _json;

        public Sender(KinesisBenchTarget target, string stream, BenchSettings settings, int seed)
        {
            _target = target;
            _stream = stream;
            _random = new Random(seed);
            _recordSize = settings.RecordSize;
            _jsonRecords = settings.JsonRecords;
            _batchSize = settings.BatchSize;
            _payload = BenchStreams.CreatePayload(settings, _random);
            _body = new ArrayBufferWriter<byte>((settings.BatchSize * ((settings.RecordSize * 4 / 3) + 64)) + 128);
            _json = new Utf8JsonWriter(_body);
        }

        public async Task<int> SendAsync(long timestamp, CancellationToken cancellationToken)
        {
            _body.ResetWrittenCount();
            _json.Reset(_body);
            _json.WriteStartObject();
            _json.WriteString("StreamName"u8, _stream);
            BenchStreams.WriteRecords(_json, "Records"u8, "PartitionKey"u8, "Data"u8, _payload, _recordSize, _batchSize, _random, timestamp, _jsonRecords);
            _json.WriteEndObject();
            await _json.FlushAsync(cancellationToken);

            using var answer = await _target.SendAsync("PutRecords", _body.WrittenMemory, cancellationToken);
            return _batchSize - answer.RootElement.GetProperty("FailedRecordCount").GetInt32();
        }

        public void Dispose() => _json.Dispose();
    }
}

/// <summary>A Kinesis API call answered with an error.</summary>
internal sealed class KinesisCallException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>5xx and throttling are worth retrying; the rest is the caller's mistake.</summary>
    public bool IsRetriable => (int)Status >= 500 || Message.Contains("ProvisionedThroughputExceeded", StringComparison.Ordinal);
}
