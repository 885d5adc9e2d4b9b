using Google.Protobuf;
using Grpc.Core;
using Sluice.Storage.V1;

namespace Sluice.Gateway.Records;

/// <summary>
/// Group commit at the gateway, per storage node: one append call in flight per node, and every
/// shard write that arrives for the node meanwhile rides in the next call, as Kafka's producer
/// sends one produce request per broker with all its partitions. Under load this turns many small
/// appends (a put of 500 records over 16 shards is 16 appends of ~30) into one call per node per
/// round, so nodes pay their per-call and per-fsync cost once for many requests. An idle node gets
/// its call at once, so nothing waits for a timer. Each write's records stay together in their
/// shard's batch: written all or nothing, in the order the writes arrived. An idempotent producer's write (a
/// <see cref="ProducerStamp"/>) is never merged: the storage node deduplicates whole batches, so it gets a ShardAppend
/// of its own.
/// </summary>
internal sealed class NodeWriteQueue
{
    // Well under the storage node's batch limits (10,000 records, 8 MiB per shard) and gRPC's
    // 16 MiB message cap, summed over the call's shards.
    private const int MaxRecordsPerCall = 10_000;
    private const long MaxBytesPerCall = 4L * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly Sender _sender;
    private List<Pending> _queue = [];
    private List<Pending> _taken = [];
    private bool _sending;

    /// <summary>Sends one append call to the node.</summary>
    public delegate Task<AppendResponse> Sender(AppendRequest request);

    public NodeWriteQueue(Sender sender) => _sender = sender;

    /// <summary>
    /// Queues encoded records for a shard the node leads at <paramref name="leaderEpoch"/>; the
    /// result is the offset of the first of them. A refusal (not leader, stale epoch, node down)
    /// fails the task with an <see cref="RpcException"/> shaped as the node's own answer.
    /// When <paramref name="deferredStarts"/> is given and the node is idle, the call is not sent
    /// yet: the queue joins the list and goes out on <see cref="StartDeferred"/>, so that a put's
    /// writes to several shards of one node, queued one after the other, share one call.
    /// </summary>
    public Task<long> AppendAsync(
        long streamId, int shardIndex, int leaderEpoch, ByteString chunk, int recordCount, List<NodeWriteQueue>? deferredStarts = null, Acks acks = Acks.Default,
        ProducerStamp? producer = null, EncryptionHint encryption = EncryptionHint.Unspecified)
    {
        var pending = new Pending(streamId, shardIndex, leaderEpoch, chunk, recordCount, acks, producer) { Encryption = encryption };
        bool start;
        lock (_lock)
        {
            _queue.Add(pending);
            start = !_sending;
            _sending = true;
        }

        if (start)
        {
            if (deferredStarts is null)
            {
                _ = PumpAsync();
            }
            else
            {
                deferredStarts.Add(this);
            }
        }

        return pending.Completion.Task;
    }

    /// <summary>Sends what a deferred <see cref="AppendAsync"/> queued; call exactly once per time the queue joined the list.</summary>
    public void StartDeferred() => _ = PumpAsync();

    private async Task PumpAsync()
    {
        while (true)
        {
            List<Pending> round;
            lock (_lock)
            {
                if (_queue.Count == 0)
                {
                    _sending = false;
                    return;
                }

                round = Take();
            }

            await SendAsync(round);
            round.Clear();
            lock (_lock)
            {
                _taken = round;
            }
        }
    }

    // Whole writes up to the call limits; the rest waits for the next round. Swaps lists rather than
    // copying: the queue keeps what did not fit.
    private List<Pending> Take()
    {
        int records = 0, count = 0;
        long bytes = 0;
        foreach (var pending in _queue)
        {
            if (count > 0 && (records + pending.RecordCount > MaxRecordsPerCall || bytes + pending.Chunk.Length > MaxBytesPerCall))
            {
                break;
            }

            records += pending.RecordCount;
            bytes += pending.Chunk.Length;
            count++;
        }

        var round = _queue;
        _queue = _taken;
        if (count < round.Count)
        {
            _queue.AddRange(round.GetRange(count, round.Count - count));
            round.RemoveRange(count, round.Count - count);
        }

        return round;
    }

    private async Task SendAsync(List<Pending> round)
    {
        // One ShardAppend per shard (and acks level), its chunks in arrival order; one per idempotent write.
        var request = new AppendRequest();
        var shards = new Dictionary<(long StreamId, int ShardIndex, Acks Acks), int>();
        var owners = new int[round.Count];
        for (var i = 0; i < round.Count; i++)
        {
            var pending = round[i];
            if (pending.Producer is { } producer)
            {
                owners[i] = request.Shards.Count;
                request.Shards.Add(new ShardAppend
                {
                    StreamId = pending.StreamId,
                    ShardIndex = pending.ShardIndex,
                    LeaderEpoch = pending.LeaderEpoch,
                    Acks = pending.Acks,
                    RecordChunks = { pending.Chunk },
                    ProducerId = producer.ProducerId,
                    ProducerEpoch = ProducerStamp.InitialEpoch,
                    BaseSequence = producer.Sequence,
                    Encryption = pending.Encryption,
                });
                continue;
            }

            if (!shards.TryGetValue((pending.StreamId, pending.ShardIndex, pending.Acks), out var slot))
            {
                slot = request.Shards.Count;
                shards.Add((pending.StreamId, pending.ShardIndex, pending.Acks), slot);
                request.Shards.Add(new ShardAppend { StreamId = pending.StreamId, ShardIndex = pending.ShardIndex, Acks = pending.Acks });
            }

            var append = request.Shards[slot];
            // The newest write knows the freshest route.
            append.LeaderEpoch = Math.Max(append.LeaderEpoch, pending.LeaderEpoch);
            if (pending.Encryption != EncryptionHint.Unspecified)
            {
                append.Encryption = pending.Encryption;
            }

            append.RecordChunks.Add(pending.Chunk);
            owners[i] = slot;
        }

        AppendResponse response;
        try
        {
            response = await _sender(request);
            if (response.Results.Count != request.Shards.Count)
            {
                throw new RpcException(new Status(StatusCode.Internal,
                    $"The storage node answered {response.Results.Count} results for an append to {request.Shards.Count} shards."));
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in round)
            {
                pending.Completion.TrySetException(ex);
            }

            return;
        }

        var next = new long[request.Shards.Count];
        for (var slot = 0; slot < next.Length; slot++)
        {
            next[slot] = response.Results[slot].BaseOffset;
        }

        for (var i = 0; i < round.Count; i++)
        {
            var pending = round[i];
            var result = response.Results[owners[i]];
            if (result.Error is { } error)
            {
                pending.Completion.TrySetException(new RpcException(
                    new Status((StatusCode)error.StatusCode, error.Message),
                    new Grpc.Core.Metadata { { RecordService.ErrorTrailer, error.Reason } }));
                continue;
            }

            pending.Completion.TrySetResult(next[owners[i]]);
            next[owners[i]] += pending.RecordCount;
        }
    }

    private sealed class Pending(long streamId, int shardIndex, int leaderEpoch, ByteString chunk, int recordCount, Acks acks, ProducerStamp? producer)
    {
        public ProducerStamp? Producer { get; } = producer;

        /// <summary>The stream's encryption at rest as the write's route knows it.</summary>
        public EncryptionHint Encryption { get; init; }

        public Acks Acks { get; } = acks;

        public long StreamId { get; } = streamId;

        public int ShardIndex { get; } = shardIndex;

        public int LeaderEpoch { get; } = leaderEpoch;

        public ByteString Chunk { get; } = chunk;

        public int RecordCount { get; } = recordCount;

        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
