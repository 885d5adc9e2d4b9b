using System.Diagnostics;
using Grpc.Core;
using Sluice.Client;
using Sluice.V1;

namespace Sluice.Cli.Commands.Bench;

/// <summary>Drives the gRPC API through one shared <see cref="SluiceClient"/>.</summary>
internal sealed class GrpcBenchTarget : IBenchTarget
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);

    private readonly SluiceClient _client;

    public GrpcBenchTarget(SluiceClientOptions options)
    {
        _client = new SluiceClient(options);
    }

    public Uri Endpoint => _client.Options.Endpoint;

    public async Task<IReadOnlyList<string>> CreateStreamAsync(string name, int shards, CancellationToken cancellationToken)
    {
        var created = await _client.CreateStreamAsync(name, shards, cancellationToken: cancellationToken);
        if (string.Equals(created.Status, "ACTIVE", StringComparison.OrdinalIgnoreCase))
        {
            return OpenShards(created);
        }

        return await BenchStreams.WaitUntilActiveAsync(name, async ct =>
        {
            var description = await _client.DescribeStreamAsync(name, ct);
            return (description.Status, OpenShards(description));
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> DescribeShardsAsync(string name, CancellationToken cancellationToken)
        => OpenShards(await _client.DescribeStreamAsync(name, cancellationToken));

    public Task DeleteStreamAsync(string name, CancellationToken cancellationToken)
        => _client.DeleteStreamAsync(name, cancellationToken);

    public IBenchSender CreateSender(string stream, BenchSettings settings, int seed) => new Sender(_client, stream, settings, seed);

    public async Task ConsumeAsync(
        string stream, string shardId, bool fromLatest, TimeSpan pollInterval, BenchConsumerSink sink, TaskCompletionSource ready, CancellationToken cancellationToken)
    {
        // One request, rewritten after each answer: the call has serialized it by then.
        var request = new GetRecordsRequest
        {
            Stream = stream,
            ShardId = shardId,
            Position = fromLatest ? StartPosition.Latest : StartPosition.TrimHorizon,
            Limit = BenchStreams.ConsumerReadLimit,
            MaxWaitMs = BenchStreams.ConsumerMaxWaitMs,
        };

        var pacer = new BenchPollPacer(pollInterval);
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            GetRecordsResponse response;
            try
            {
                response = await _client.GetRecordsAsync(request, cancellationToken);
            }
            catch (RpcException e) when (SluiceClient.IsRetriable(e))
            {
                await Task.Delay(RetryPause, cancellationToken);
                continue;
            }

            ready.TrySetResult();
            foreach (var record in response.Records)
            {
                sink.OnRecord(record.Data.Span);
            }

            if (string.IsNullOrEmpty(response.NextSequenceNumber))
            {
                // A closed shard read to its end.
                return;
            }

            request.Position = StartPosition.AtSequenceNumber;
            request.SequenceNumber = response.NextSequenceNumber;
            var pause = pacer.PauseBeforeNextRead(started, empty: response.Records.Count == 0);
            if (pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, cancellationToken);
            }
        }
    }

    public void Dispose() => _client.Dispose();

    private static List<string> OpenShards(StreamDescription description)
    {
        var shards = new List<string>(description.Shards.Count);
        foreach (var shard in description.Shards)
        {
            if (!string.Equals(shard.State, "CLOSED", StringComparison.OrdinalIgnoreCase))
            {
                shards.Add(shard.ShardId);
            }
        }

        return shards;
    }

    /// <summary>
    /// One request whose entries wrap slices of one payload buffer; each batch rewrites the
    /// timestamps and partition keys in place, so a batch allocates nothing of its own.
    /// </summary>
    private sealed class Sender : IBenchSender
    {
        private readonly SluiceClient _client;
        private readonly PutRecordsRequest _request;
        private readonly byte[] _payload;
        private readonly int _recordSize;
        private readonly bool _jsonRecords;
        private readonly Random _random;

        public Sender(SluiceClient client, string stream, BenchSettings settings, int seed)
        {
            _client = client;
            _random = new Random(seed);
            _recordSize = settings.RecordSize;
            _jsonRecords = settings.JsonRecords;
            _payload = BenchStreams.CreatePayload(settings, _random);
            _request = new PutRecordsRequest { Stream = stream };
            for (var i = 0; i < settings.BatchSize; i++)
            {
                _request.Records.Add(new PutRecordsEntry
                {
                    // Safe to wrap: the buffer is only rewritten after the call that sent it has completed.
                    Data = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(_payload.AsMemory(i * _recordSize, _recordSize)),
                });
            }
        }

        public async Task<int> SendAsync(long timestamp, CancellationToken cancellationToken)
        {
            var keys = BenchStreams.PartitionKeys;
            var records = _request.Records;
            for (var i = 0; i < records.Count; i++)
            {
                BenchStreams.Stamp(_payload.AsSpan(i * _recordSize, _recordSize), timestamp, _jsonRecords);
                records[i].PartitionKey = keys[_random.Next(keys.Length)];
            }

            var response = await _client.Records.PutRecordsAsync(_request, cancellationToken: cancellationToken);
            return records.Count - response.FailedRecordCount;
        }

        public void Dispose()
        {
        }
    }
}
