using HdrHistogram;

namespace Sluice.Cli.Commands.Bench;

/// <summary>HdrHistograms of latencies in microseconds, from 1 µs to 10 minutes at 3 significant digits.</summary>
internal static class LatencyHistograms
{
    private const long HighestMicroseconds = 10L * 60 * 1_000_000;
    private const int SignificantDigits = 3;

    public static LongHistogram Create() => new(1, HighestMicroseconds, SignificantDigits);

    /// <summary>Records <paramref name="count"/> values, clamped into the trackable range.</summary>
    public static void Record(LongHistogram histogram, long microseconds, long count = 1)
        => histogram.RecordValueWithCount(Math.Clamp(microseconds, 0, HighestMicroseconds), count);

    public static LongHistogram Merge(IEnumerable<LongHistogram> histograms)
    {
        var merged = Create();
        foreach (var histogram in histograms)
        {
            merged.Add(histogram);
        }

        return merged;
    }

    /// <summary>The value at a percentile in milliseconds, or null when nothing was recorded.</summary>
    public static double? PercentileMs(HistogramBase histogram, double percentile)
        => histogram.TotalCount == 0 ? null : histogram.GetValueAtPercentile(percentile) / 1000.0;

    public static double? MaxMs(HistogramBase histogram)
        => histogram.TotalCount == 0 ? null : histogram.GetMaxValue() / 1000.0;
}
