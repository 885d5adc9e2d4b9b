using Google.Protobuf;
using Sluice.Storage.V1;

namespace Sluice.Gateway.Records;

/// <summary>
/// Group commit at the gateway: one append in flight per shard, and every put that arrives for the
/// shard meanwhile rides in the next append. Under load this turns many small appends (a put of
/// 500 records spread over 16 shards is 16 appends of ~30) into few large ones, so storage nodes
/// pay their per-call and per-fsync cost once for many requests. An idle shard sends at once, so
/// nothing waits for a timer. Each request's records for the shard stay together in one append:
/// they are written all or nothing, in the order the requests arrived.
/// </summary>
internal sealed class ShardWriteQueue
{
    // Well under the storage node's batch limits (10,000 records, 8 MiB) and gRPC's 16 MiB message cap.
    private const int MaxRecordsPerAppend = 5_000;
    private const long MaxBytesPerAppend = 4L * 1024 * 1024;

    private readonly Lock _lock = new();
    private List<Pending> _queue = [];
    private bool _sending;

    /// <summary>Sends one append; throws a <see cref="Core.SluiceException"/> when it fails.</summary>
    public delegate Task<AppendResponse> Sender(AppendRequest request);

    /// <summary>Queues encoded records for the shard; the result is the offset of the first of them.</summary>
    public Task<long> AppendAsync(ByteString chunk, int recordCount, Sender sender)
    {
        var pending = new Pending(chunk, recordCount, sender);
        bool start;
        lock (_lock)
        {
            _queue.Add(pending);
            start = !_sending;
            _sending = true;
        }

        if (start)
        {
            _ = PumpAsync();
        }

        return pending.Completion.Task;
    }

    private async Task PumpAsync()
    {
        var taken = new List<Pending>();
        while (true)
        {
            taken.Clear();
            lock (_lock)
            {
                if (_queue.Count == 0)
                {
                    _sending = false;
                    return;
                }

                // Take whole requests up to the append limits; the rest waits for the next round.
                int records = 0, count = 0;
                long bytes = 0;
                foreach (var pending in _queue)
                {
                    if (count > 0 && (records + pending.RecordCount > MaxRecordsPerAppend || bytes + pending.Chunk.Length > MaxBytesPerAppend))
                    {
                        break;
                    }

                    records += pending.RecordCount;
                    bytes += pending.Chunk.Length;
                    count++;
                }

                taken.AddRange(_queue.GetRange(0, count));
                _queue.RemoveRange(0, count);
            }

            await SendAsync(taken);
        }
    }

    private static async Task SendAsync(List<Pending> group)
    {
        var request = new AppendRequest();
        foreach (var pending in group)
        {
            request.RecordChunks.Add(pending.Chunk);
        }

        try
        {
            // The newest request knows the freshest route.
            var response = await group[^1].Sender(request);
            var offset = response.BaseOffset;
            foreach (var pending in group)
            {
                pending.Completion.TrySetResult(offset);
                offset += pending.RecordCount;
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in group)
            {
                pending.Completion.TrySetException(ex);
            }
        }
    }

    private sealed class Pending(ByteString chunk, int recordCount, Sender sender)
    {
        public ByteString Chunk { get; } = chunk;

        public int RecordCount { get; } = recordCount;

        public Sender Sender { get; } = sender;

        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
