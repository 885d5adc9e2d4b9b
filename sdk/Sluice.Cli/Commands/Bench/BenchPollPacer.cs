using System.Diagnostics;

namespace Sluice.Cli.Commands.Bench;

/// <summary>
/// Paces one consumer's reads of a shard: reads start at least the poll interval apart, an empty
/// read waits at least <see cref="BenchStreams.MinEmptyPollInterval"/>, and the first pause adds a
/// random phase within the interval, so that the consumers of a run do not all read in the same
/// instant (real consumers on different machines do not either) and load the gateway in bursts.
/// </summary>
internal sealed class BenchPollPacer(TimeSpan pollInterval)
{
    private bool _phased;

    /// <summary>How long to wait before the next read, given when the last one started.</summary>
    public TimeSpan PauseBeforeNextRead(long startedTimestamp, bool empty)
    {
        var least = empty && BenchStreams.MinEmptyPollInterval > pollInterval ? BenchStreams.MinEmptyPollInterval : pollInterval;
        if (!_phased)
        {
            _phased = true;
            least += pollInterval * Random.Shared.NextDouble();
        }

        return least - Stopwatch.GetElapsedTime(startedTimestamp);
    }
}
