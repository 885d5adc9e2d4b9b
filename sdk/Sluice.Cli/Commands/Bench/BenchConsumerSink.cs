using System.Diagnostics;
using HdrHistogram;

namespace Sluice.Cli.Commands.Bench;

/// <summary>
/// Where one shard's consumer hands its records: reads the send time (the first 8 bytes, or a JSON
/// record's <c>sent</c>) and records the end-to-end latency. Used by one task at a time.
/// </summary>
internal sealed class BenchConsumerSink
{
    private readonly BenchWindow _window;
    private readonly bool _jsonRecords;
    private long _received;

    public BenchConsumerSink(BenchWindow window, bool jsonRecords = false)
    {
        _window = window;
        _jsonRecords = jsonRecords;
    }

    /// <summary>End-to-end latency of the records sent after the warm-up, in microseconds.</summary>
    public LongHistogram Latency { get; } = LatencyHistograms.Create();

    /// <summary>Records of this run received so far, warm-up included.</summary>
    public long Received => Volatile.Read(ref _received);

    public void OnRecord(ReadOnlySpan<byte> data)
    {
        if (!BenchStreams.TryReadTimestamp(data, _jsonRecords, out var sent))
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        // Records that another writer put on a shared stream carry no timestamp of this run.
        if (sent < _window.Start || sent > now)
        {
            return;
        }

        Interlocked.Increment(ref _received);
        if (sent >= _window.WarmupEnd && sent < _window.End)
        {
            LatencyHistograms.Record(Latency, BenchWindow.ToMicroseconds(now - sent));
        }
    }
}
