namespace Sluice.Log.Tests;

public sealed class TruncateTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly LogOptions _options = LogOptions.Default with { SegmentBytes = 1024, IndexIntervalBytes = 128 };

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Truncating_drops_records_at_and_above_the_offset_across_segments_and_appends_continue_there()
    {
        await using var log = PartitionLog.Open(_temp.Path, _options);
        await AppendAsync(log, 40);
        var segmentsBefore = log.SegmentCount;

        await log.TruncateToAsync(30);

        Assert.Equal(30, log.LogEndOffset);
        Assert.True(log.SegmentCount < segmentsBefore);
        Assert.Equal(log.SegmentCount, Directory.GetFiles(_temp.Path, "*.log").Length);
        Assert.Equal(log.SizeInBytes, Directory.GetFiles(_temp.Path, "*.log").Sum(f => new FileInfo(f).Length));
        Assert.Equal(30, (await TestRecords.ReadAllAsync(log)).Count);
        await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await log.ReadAsync(31, 10, 1000));

        var next = await log.AppendAsync(TestRecords.Make(2, 80, "new"), 2);
        Assert.Equal(30, next.BaseOffset);
        var read = await log.ReadAsync(29, 10, 1 << 20);
        Assert.Equal([29L, 30L, 31L], read.Records.Select(r => r.Offset));
        Assert.Equal(2, read.Records[1].LeaderEpoch);
    }

    [Fact]
    public async Task Truncating_inside_a_batch_keeps_the_records_before_the_offset_after_a_reopen()
    {
        await using (var log = PartitionLog.Open(_temp.Path, _options))
        {
            await log.AppendAsync(TestRecords.Make(5, 10), 1);
            await log.AppendAsync(TestRecords.Make(5, 10), 1);

            await log.TruncateToAsync(7);

            Assert.Equal(7, log.LogEndOffset);
            Assert.Equal(7, (await TestRecords.ReadAllAsync(log)).Count);
        }

        await using (var log = PartitionLog.Open(_temp.Path, _options))
        {
            Assert.Equal(7, log.LogEndOffset);
            var all = await TestRecords.ReadAllAsync(log);
            Assert.Equal(["k0", "k1", "k2", "k3", "k4", "k0", "k1"], all.Select(r => TestRecords.Text(r.Key)));
        }
    }

    [Fact]
    public async Task Truncating_to_the_start_empties_the_log()
    {
        await using var log = PartitionLog.Open(_temp.Path, _options);
        await AppendAsync(log, 20);

        await log.TruncateToAsync(0);

        Assert.Equal(0, log.LogEndOffset);
        Assert.Equal(0, log.LastTimestampMs);
        Assert.Equal(0, (await log.AppendAsync(TestRecords.Make(1), 3)).BaseOffset);
    }

    [Fact]
    public async Task Truncating_below_the_start_is_rejected_and_past_the_end_does_nothing()
    {
        await using var log = PartitionLog.Open(_temp.Path, _options with { RetentionBytes = 0 });
        await AppendAsync(log, 20);
        await log.EnforceRetentionAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await log.TruncateToAsync(log.LogStartOffset - 1));
        await log.TruncateToAsync(1000);
        Assert.Equal(40, log.LogEndOffset);
    }

    [Fact]
    public async Task A_sealed_segment_made_active_by_truncation_recovers_correctly()
    {
        await using (var log = PartitionLog.Open(_temp.Path, _options))
        {
            await AppendAsync(log, 40);
            await log.TruncateToAsync(9);
            await AppendAsync(log, 10);
        }

        await using (var log = PartitionLog.Open(_temp.Path, _options))
        {
            Assert.Equal(29, log.LogEndOffset);
            var all = await TestRecords.ReadAllAsync(log);
            Assert.Equal(Enumerable.Range(0, 29).Select(i => (long)i), all.Select(r => r.Offset));
        }
    }

    private static async Task AppendAsync(PartitionLog log, int batches)
    {
        for (var i = 0; i < batches; i++)
        {
            await log.AppendAsync(TestRecords.Make(2, 80), 1);
        }
    }
}
