using System.Diagnostics;
using HdrHistogram;

namespace Sluice.Cli.Commands.Bench;

/// <summary>
/// One producer task: sends batches back to back (max rate) or on a fixed schedule, and records
/// each batch's acknowledgement latency for every record it acknowledged.
/// </summary>
/// <remarks>
/// At a fixed rate the batches of all producers form one schedule, batch k due at
/// <c>start + k × batch / rate</c>, dealt round-robin; latency counts from the time a batch was
/// due, not from when it went out, so a slow answer that delays the next batches shows in their
/// latency too (no coordinated omission).
/// </remarks>
internal sealed class BenchProducer : IDisposable
{
    private static readonly TimeSpan ErrorPause = TimeSpan.FromMilliseconds(50);

    private readonly IBenchSender _sender;
    private readonly BenchSettings _settings;
    private readonly BenchCounters _counters;
    private readonly int _index;

    public BenchProducer(IBenchSender sender, BenchSettings settings, BenchCounters counters, int index)
    {
        _sender = sender;
        _settings = settings;
        _counters = counters;
        _index = index;
    }

    /// <summary>Acknowledgement latency after the warm-up, in microseconds, weighted by records.</summary>
    public LongHistogram AckLatency { get; } = LatencyHistograms.Create();

    /// <summary>Records acknowledged whose batch was due after the warm-up.</summary>
    public long Acked { get; private set; }

    /// <summary>Records refused or lost whose batch was due after the warm-up.</summary>
    public long Failed { get; private set; }

    public async Task RunAsync(BenchWindow window, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var batch = _settings.BatchSize;
        var paced = _settings.Rate > 0;
        // Ticks between two batches of this producer, and its place in the shared schedule.
        var interval = paced ? (double)batch * _settings.Producers * Stopwatch.Frequency / _settings.Rate : 0;
        var next = window.Start + (paced ? (double)batch * _index * Stopwatch.Frequency / _settings.Rate : 0);

        while (!cancellationToken.IsCancellationRequested)
        {
            long due;
            var now = Stopwatch.GetTimestamp();
            if (paced)
            {
                due = (long)next;
                next += interval;
                if (due >= window.End || now >= window.End)
                {
                    break;
                }

                if (due > now)
                {
                    try
                    {
                        await Task.Delay(Stopwatch.GetElapsedTime(now, due), cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
            else
            {
                due = now;
                if (due >= window.End)
                {
                    break;
                }
            }

            int acked;
            try
            {
                acked = await _sender.SendAsync(due, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                _counters.SetError(CommandRunner.Describe(e, endpoint: null));
                Count(window, due, 0, batch);
                if (!paced)
                {
                    // Failing calls return at once; without a pause a dead gateway makes a busy loop.
                    await PauseAsync(cancellationToken);
                }

                continue;
            }

            var done = Stopwatch.GetTimestamp();
            Count(window, due, acked, batch - acked);
            if (acked > 0 && due >= window.WarmupEnd)
            {
                LatencyHistograms.Record(AckLatency, BenchWindow.ToMicroseconds(done - due), acked);
            }
        }
    }

    private void Count(BenchWindow window, long due, int acked, int failed)
    {
        _counters.AddBatch(acked, failed);
        if (due >= window.WarmupEnd)
        {
            Acked += acked;
            Failed += failed;
        }
    }

    public void Dispose() => _sender.Dispose();

    private static async Task PauseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(ErrorPause, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
