namespace Sluice.Log.Tests;

public sealed class RetentionTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Retention_by_time_deletes_whole_expired_segments_and_advances_the_start()
    {
        var options = LogOptions.Default with { SegmentBytes = 1024, RetentionTime = TimeSpan.FromHours(1) };
        await using var log = PartitionLog.Open(_temp.Path, options, timeProvider: _time);
        await AppendAsync(log, 30);                       // old: several segments
        _time.Advance(TimeSpan.FromMinutes(90));
        await AppendAsync(log, 30);                       // recent
        var segmentsBefore = log.SegmentCount;
        var filesBefore = Directory.GetFiles(_temp.Path, "*.log").Length;

        var deleted = await log.EnforceRetentionAsync();

        Assert.True(deleted > 0);
        Assert.Equal(segmentsBefore - deleted, log.SegmentCount);
        Assert.Equal(filesBefore - deleted, Directory.GetFiles(_temp.Path, "*.log").Length);
        Assert.True(log.LogStartOffset > 0 && log.LogStartOffset <= 60);
        var remaining = await TestRecords.ReadAllAsync(log);
        Assert.Equal(log.LogStartOffset, remaining[0].Offset);
        Assert.All(remaining.Where(r => r.Offset >= 60), r => Assert.Equal(_time.NowMs, r.TimestampMs));
        Assert.Contains(remaining, r => r.Offset == 60);
        await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await log.ReadAsync(0, 10, 1000));
        Assert.Equal(0, await log.EnforceRetentionAsync());
    }

    [Fact]
    public async Task An_expired_active_segment_is_rolled_so_its_records_go_too()
    {
        var options = LogOptions.Default with { RetentionTime = TimeSpan.FromMinutes(10) };
        await using var log = PartitionLog.Open(_temp.Path, options, timeProvider: _time);
        await AppendAsync(log, 5);
        _time.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal(1, await log.EnforceRetentionAsync());

        Assert.Equal(10, log.LogStartOffset);
        Assert.Equal(10, log.LogEndOffset);
        Assert.Equal(0, log.LastTimestampMs);
        Assert.Empty((await log.ReadAsync(10, 10, 1000)).Records);
        var next = await log.AppendAsync(TestRecords.Make(1), 1);
        Assert.Equal(10, next.BaseOffset);
    }

    [Fact]
    public async Task Retention_by_size_keeps_at_least_the_limit_and_deletes_oldest_first()
    {
        var options = LogOptions.Default with { SegmentBytes = 1024, RetentionBytes = 3000 };
        await using var log = PartitionLog.Open(_temp.Path, options, timeProvider: _time);
        await AppendAsync(log, 60);
        var sizeBefore = log.SizeInBytes;

        var deleted = await log.EnforceRetentionAsync();

        Assert.True(deleted > 0);
        Assert.True(log.SizeInBytes >= 3000, $"{log.SizeInBytes} bytes left");
        Assert.True(log.SizeInBytes < 3000 + 1024, $"{log.SizeInBytes} bytes left");
        Assert.True(log.SizeInBytes < sizeBefore);
        Assert.Equal(log.SizeInBytes, Directory.GetFiles(_temp.Path, "*.log").Sum(f => new FileInfo(f).Length));
        var error = await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await log.ReadAsync(0, 10, 1000));
        Assert.Equal(log.LogStartOffset, error.LogStartOffset);
        Assert.Equal(120, log.LogEndOffset);
    }

    [Fact]
    public async Task Retention_survives_a_reopen()
    {
        var options = LogOptions.Default with { SegmentBytes = 1024, RetentionBytes = 2000 };
        long start;
        await using (var log = PartitionLog.Open(_temp.Path, options, timeProvider: _time))
        {
            await AppendAsync(log, 40);
            await log.EnforceRetentionAsync();
            start = log.LogStartOffset;
        }

        await using (var log = PartitionLog.Open(_temp.Path, options, timeProvider: _time))
        {
            Assert.Equal(start, log.LogStartOffset);
            Assert.Equal(80, log.LogEndOffset);
            Assert.Empty(Directory.GetFiles(_temp.Path, "*.deleted"));
        }
    }

    [Fact]
    public async Task A_reader_inside_a_segment_that_retention_deletes_is_not_hurt()
    {
        var options = LogOptions.Default with { SegmentBytes = 1024, RetentionBytes = 0 };
        await using var log = PartitionLog.Open(_temp.Path, options, timeProvider: _time);
        await AppendAsync(log, 40);

        using var stop = new CancellationTokenSource();
        using var started = new CountdownEvent(2);
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            var reads = 0;
            var signalled = false;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var result = await log.ReadAsync(log.LogStartOffset, 100, 1 << 20);
                    reads += result.Records.Count > 0 ? 1 : 0;
                }
                catch (OffsetOutOfRangeException)
                {
                    // the start moved between reading it and reading from it: the documented outcome
                }

                if (reads > 0 && !signalled)
                {
                    signalled = true;
                    started.Signal();
                }
            }

            return reads;
        })).ToArray();

        // Retention starts only once both readers are inside the log, so the race is real every run.
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)), "readers did not start");
        for (var i = 0; i < 20; i++)
        {
            await AppendAsync(log, 5);
            await log.EnforceRetentionAsync();
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(readers.Sum(r => r.Result) > 0);
    }

    private static async Task AppendAsync(PartitionLog log, int batches)
    {
        for (var i = 0; i < batches; i++)
        {
            await log.AppendAsync(TestRecords.Make(2, 80), 1);
        }
    }
}
