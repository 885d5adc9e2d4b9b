namespace Sluice.Log.Tests;

public sealed class TimestampTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ManualTimeProvider _time = new(startMs: 1_000_000);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Finds_the_first_offset_at_or_after_a_timestamp_across_segments_and_reopens()
    {
        var options = LogOptions.Default with { SegmentBytes = 1024, IndexIntervalBytes = 100 };
        await using (var log = PartitionLog.Open(_temp.Path, options, timeProvider: _time))
        {
            // Batch i (2 records, offsets 2i and 2i+1) arrives at 1_000_000 + 1000 * i.
            for (var i = 0; i < 40; i++)
            {
                await log.AppendAsync(TestRecords.Make(2, 60), 1);
                _time.Advance(TimeSpan.FromSeconds(1));
            }

            Assert.True(log.SegmentCount > 3);
            await AssertLookupsAsync(log);
        }

        await using (var log = PartitionLog.Open(_temp.Path, options, timeProvider: _time))
        {
            await AssertLookupsAsync(log); // sealed segments answer from their time index files now
        }
    }

    [Fact]
    public async Task Records_of_one_append_share_the_arrival_timestamp()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default, timeProvider: _time);
        var appended = await log.AppendAsync(TestRecords.Make(5), 1);

        var result = await log.ReadAsync(0, 10, 1000);

        Assert.All(result.Records, r => Assert.Equal(appended.TimestampMs, r.TimestampMs));
        Assert.Equal(1_000_000, appended.TimestampMs);
    }

    [Fact]
    public async Task An_empty_log_answers_its_end_offset()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default, timeProvider: _time);

        Assert.Equal(0, await log.FindOffsetByTimestampAsync(0));
    }

    private static async Task AssertLookupsAsync(PartitionLog log)
    {
        Assert.Equal(0, await log.FindOffsetByTimestampAsync(0));
        Assert.Equal(0, await log.FindOffsetByTimestampAsync(1_000_000));
        Assert.Equal(2, await log.FindOffsetByTimestampAsync(1_000_001));
        Assert.Equal(2, await log.FindOffsetByTimestampAsync(1_001_000));
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(2 * i, await log.FindOffsetByTimestampAsync(1_000_000 + (1000 * i)));
            Assert.Equal(2 * i, await log.FindOffsetByTimestampAsync(1_000_000 + (1000 * i) - 999));
        }

        Assert.Equal(80, await log.FindOffsetByTimestampAsync(1_000_000 + (1000 * 39) + 1));
    }
}
