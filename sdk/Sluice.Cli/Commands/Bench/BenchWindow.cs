using System.Diagnostics;

namespace Sluice.Cli.Commands.Bench;

/// <summary>
/// The run's timeline in <see cref="Stopwatch"/> ticks: producers start at <see cref="Start"/>,
/// latencies count from <see cref="WarmupEnd"/>, producing stops at <see cref="End"/>.
/// </summary>
internal sealed class BenchWindow
{
    private long _start = long.MaxValue;

    /// <summary>Until <see cref="Open"/>, no record counts as one of this run's.</summary>
    public long Start => Volatile.Read(ref _start);

    public long WarmupEnd { get; private set; } = long.MaxValue;

    public long End { get; private set; } = long.MaxValue;

    public TimeSpan Measured { get; private set; }

    public void Open(TimeSpan warmup, TimeSpan duration)
    {
        var start = Stopwatch.GetTimestamp();
        WarmupEnd = start + ToTicks(warmup);
        End = WarmupEnd + ToTicks(duration);
        Measured = duration;
        Volatile.Write(ref _start, start);
    }

    public static long ToTicks(TimeSpan time) => (long)(time.TotalSeconds * Stopwatch.Frequency);

    public static long ToMicroseconds(long ticks) => (long)(ticks * 1_000_000.0 / Stopwatch.Frequency);
}
