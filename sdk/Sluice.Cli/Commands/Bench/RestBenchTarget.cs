using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sluice.Cli.Commands.Bench;

/// <summary>Drives the REST API (<c>/v1/streams…</c>) through one shared <see cref="HttpClient"/>.</summary>
internal sealed class RestBenchTarget : IBenchTarget
{
    private const int MaxConnectionsPerServer = 1024;
    private const string JsonMediaType = "application/json";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);

    private readonly HttpClient _http;

    public RestBenchTarget(Uri endpoint, string token)
    {
        Endpoint = endpoint;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = MaxConnectionsPerServer,
            PooledConnectionIdleTimeout = PooledConnectionIdleTimeout,
            ConnectTimeout = ConnectTimeout,
            EnableMultipleHttp2Connections = true,
        };
        // Relative paths resolve under the base only when it ends with a slash.
        var baseAddress = endpoint.AbsolutePath.EndsWith('/') ? endpoint : new Uri(endpoint + "/");
        _http = new HttpClient(handler, disposeHandler: true) { BaseAddress = baseAddress, Timeout = RequestTimeout };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue(JsonMediaType));
    }

    public Uri Endpoint { get; }

    public async Task<IReadOnlyList<string>> CreateStreamAsync(string name, int shards, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(
            "v1/streams", new RestCreateStream(name, shards, 0), RestJsonContext.Default.RestCreateStream, cancellationToken);
        var created = await RestAnswers.ReadAsync(response, RestJsonContext.Default.RestStreamDescription, cancellationToken);
        if (string.Equals(created.Status, "ACTIVE", StringComparison.OrdinalIgnoreCase))
        {
            return OpenShards(created);
        }

        return await BenchStreams.WaitUntilActiveAsync(name, async ct =>
        {
            var description = await DescribeAsync(name, ct);
            return (description.Status, OpenShards(description));
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> DescribeShardsAsync(string name, CancellationToken cancellationToken)
        => OpenShards(await DescribeAsync(name, cancellationToken));

    public async Task DeleteStreamAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync(StreamPath(name), cancellationToken);
        await RestAnswers.EnsureSuccessAsync(response, cancellationToken);
    }

    public IBenchSender CreateSender(string stream, BenchSettings settings, int seed) => new Sender(_http, stream, settings, seed);

    public async Task ConsumeAsync(
        string stream, string shardId, bool fromLatest, TimeSpan pollInterval, BenchConsumerSink sink, TaskCompletionSource ready, CancellationToken cancellationToken)
    {
        var path = $"{StreamPath(stream)}/shards/{Uri.EscapeDataString(shardId)}/records";
        var limits = string.Create(CultureInfo.InvariantCulture, $"limit={BenchStreams.ConsumerReadLimit}&maxWaitMs={BenchStreams.ConsumerMaxWaitMs}");
        var uri = $"{path}?from={(fromLatest ? "latest" : "oldest")}&{limits}";
        var pacer = new BenchPollPacer(pollInterval);
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            RestGetRecordsResponse page;
            try
            {
                using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                page = await RestAnswers.ReadAsync(response, RestJsonContext.Default.RestGetRecordsResponse, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException || e is RestApiException { IsRetriable: true })
            {
                await Task.Delay(RetryPause, cancellationToken);
                continue;
            }

            ready.TrySetResult();
            var records = page.Records;
            if (records is not null)
            {
                foreach (var record in records)
                {
                    sink.OnRecord(record.Data);
                }
            }

            if (string.IsNullOrEmpty(page.NextSequenceNumber))
            {
                return;
            }

            uri = $"{path}?from=at&sequenceNumber={Uri.EscapeDataString(page.NextSequenceNumber)}&{limits}";
            var pause = pacer.PauseBeforeNextRead(started, empty: records is null or { Count: 0 });
            if (pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, cancellationToken);
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private static string StreamPath(string name) => "v1/streams/" + Uri.EscapeDataString(name);

    private async Task<RestStreamDescription> DescribeAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(StreamPath(name), cancellationToken);
        return await RestAnswers.ReadAsync(response, RestJsonContext.Default.RestStreamDescription, cancellationToken);
    }

    private static List<string> OpenShards(RestStreamDescription description)
    {
        var shards = new List<string>();
        foreach (var shard in description.Shards ?? [])
        {
            if (!string.Equals(shard.State, "CLOSED", StringComparison.OrdinalIgnoreCase))
            {
                shards.Add(shard.ShardId);
            }
        }

        return shards;
    }

    /// <summary>
    /// Writes each batch's JSON into one reused buffer (base64 straight from the payload), so a
    /// batch allocates little beyond what <see cref="HttpClient"/> itself needs.
    /// </summary>
    private sealed class Sender : IBenchSender
    {
        private readonly HttpClient _http;
        private readonly string _path;
        private readonly byte[] _payload;
        private readonly int _recordSize;
        private readonly bool _jsonRecords;
        private readonly int _batchSize;
        private readonly Random _random;
        private readonly ArrayBufferWriter<byte> _body;
        private readonly Utf8JsonWriter _json;

        public Sender(HttpClient http, string stream, BenchSettings settings, int seed)
        {
            _http = http;
            _path = StreamPath(stream) + "/records";
            _random = new Random(seed);
            _recordSize = settings.RecordSize;
            _jsonRecords = settings.JsonRecords;
            _batchSize = settings.BatchSize;
            _payload = BenchStreams.CreatePayload(settings, _random);
            // Base64 is 4/3 of the data, plus the keys and the punctuation.
            _body = new ArrayBufferWriter<byte>((settings.BatchSize * ((settings.RecordSize * 4 / 3) + 64)) + 64);
            _json = new Utf8JsonWriter(_body);
        }

        public async Task<int> SendAsync(long timestamp, CancellationToken cancellationToken)
        {
            _body.ResetWrittenCount();
            _json.Reset(_body);
            _json.WriteStartObject();
            BenchStreams.WriteRecords(_json, "records"u8, "partitionKey"u8, "data"u8, _payload, _recordSize, _batchSize, _random, timestamp, _jsonRecords);
            _json.WriteEndObject();
            await _json.FlushAsync(cancellationToken);

            using var content = new ReadOnlyMemoryContent(_body.WrittenMemory);
            content.Headers.ContentType = new MediaTypeHeaderValue(JsonMediaType);
            using var response = await _http.PostAsync(_path, content, cancellationToken);
            var result = await RestAnswers.ReadAsync(response, RestJsonContext.Default.RestPutRecordsResponse, cancellationToken);
            return _batchSize - result.FailedRecordCount;
        }

        public void Dispose() => _json.Dispose();
    }
}
