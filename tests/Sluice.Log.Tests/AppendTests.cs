using System.Text;

namespace Sluice.Log.Tests;

public sealed class AppendTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Appends_get_consecutive_offsets_and_report_the_end()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);

        var first = await log.AppendAsync(TestRecords.Make(3), 1);
        var second = await log.AppendAsync(TestRecords.Make(2), 1);

        Assert.Equal((0L, 3), (first.BaseOffset, first.Count));
        Assert.Equal((3L, 2, 5L), (second.BaseOffset, second.Count, second.LogEndOffset));
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal(second.TimestampMs, log.LastTimestampMs);
        Assert.True(log.SizeInBytes > 0);
    }

    [Fact]
    public async Task Concurrent_appends_get_dense_offsets_with_every_record_once_in_each_appenders_order()
    {
        const int Appenders = 8, AppendsEach = 60;
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default with { SegmentBytes = 16 * 1024 });

        await Task.WhenAll(Enumerable.Range(0, Appenders).Select(a => Task.Run(async () =>
        {
            for (var i = 0; i < AppendsEach; i++)
            {
                var count = 1 + (i % 3);
                var records = Enumerable.Range(0, count)
                    .Select(j => new LogRecord(Encoding.UTF8.GetBytes($"a{a}"), Encoding.UTF8.GetBytes($"{i:D4}.{j}")))
                    .ToArray();
                var result = await log.AppendAsync(records, 1);
                Assert.Equal(count, result.Count);
            }
        })));

        var all = await TestRecords.ReadAllAsync(log);
        var expected = Appenders * Enumerable.Range(0, AppendsEach).Sum(i => 1 + (i % 3));
        Assert.Equal(expected, all.Count);
        Assert.Equal(Enumerable.Range(0, expected).Select(i => (long)i), all.Select(r => r.Offset));
        Assert.Equal(expected, all.Select(r => TestRecords.Text(r.Key) + "/" + TestRecords.Text(r.Value)).Distinct().Count());
        foreach (var group in all.GroupBy(r => TestRecords.Text(r.Key)))
        {
            var values = group.Select(r => TestRecords.Text(r.Value)).ToList();
            Assert.Equal(values.Order(StringComparer.Ordinal), values);
        }

        Assert.True(log.SegmentCount > 1);
    }

    [Fact]
    public async Task Empty_and_oversized_batches_are_rejected()
    {
        var options = LogOptions.Default with { MaxRecordsPerBatch = 5, MaxBatchBytes = 1024 };
        await using var log = PartitionLog.Open(_temp.Path, options);

        await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendAsync([], 1));
        await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendAsync(TestRecords.Make(6), 1));
        await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendAsync([new LogRecord(default, new byte[1024])], 1));
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public async Task Timestamps_never_go_backwards_when_the_clock_does()
    {
        var time = new ManualTimeProvider(startMs: 10_000);
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default, timeProvider: time);

        var first = await log.AppendAsync(TestRecords.Make(1), 1);
        time.NowMs = 5_000;
        var second = await log.AppendAsync(TestRecords.Make(1), 1);
        time.NowMs = 20_000;
        var third = await log.AppendAsync(TestRecords.Make(1), 1);

        Assert.Equal(10_000, first.TimestampMs);
        Assert.Equal(10_000, second.TimestampMs);
        Assert.Equal(20_000, third.TimestampMs);
    }

    [Fact]
    public async Task A_cancelled_append_is_not_written()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await log.AppendAsync(TestRecords.Make(1), 1, cancelled.Token));

        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public async Task Dispose_drains_pending_appends_and_later_appends_throw()
    {
        var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        var pending = Enumerable.Range(0, 50).Select(_ => log.AppendAsync(TestRecords.Make(2), 1).AsTask()).ToArray();

        await log.DisposeAsync();

        Assert.All(await Task.WhenAll(pending), r => Assert.Equal(2, r.Count));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await log.AppendAsync(TestRecords.Make(1), 1));
        await using var reopened = PartitionLog.Open(_temp.Path, LogOptions.Default);
        Assert.Equal(100, reopened.LogEndOffset);
    }

    [Fact]
    public async Task Interval_flush_policy_acknowledges_appends_that_survive_a_reopen()
    {
        var options = LogOptions.Default with { FlushPolicy = FlushPolicy.Interval, FlushInterval = TimeSpan.FromMilliseconds(5), SegmentBytes = 4096 };
        await using (var log = PartitionLog.Open(_temp.Path, options))
        {
            for (var i = 0; i < 50; i++)
            {
                await log.AppendAsync(TestRecords.Make(2, 60), 1);
            }

            Assert.Equal(100, (await TestRecords.ReadAllAsync(log)).Count);
        }

        await using (var log = PartitionLog.Open(_temp.Path, options))
        {
            Assert.Equal(100, log.LogEndOffset);
            Assert.Equal(100, (await TestRecords.ReadAllAsync(log)).Count);
        }
    }

    [Theory]
    [InlineData(nameof(LogOptions.SegmentBytes))]
    [InlineData(nameof(LogOptions.IndexIntervalBytes))]
    [InlineData(nameof(LogOptions.FlushInterval))]
    [InlineData(nameof(LogOptions.RetentionTime))]
    [InlineData(nameof(LogOptions.RetentionBytes))]
    [InlineData(nameof(LogOptions.MaxRecordsPerBatch))]
    [InlineData(nameof(LogOptions.MaxBatchBytes))]
    public void Invalid_options_are_rejected_naming_the_setting(string setting)
    {
        var options = setting switch
        {
            nameof(LogOptions.SegmentBytes) => LogOptions.Default with { SegmentBytes = (long)int.MaxValue + 1 },
            nameof(LogOptions.IndexIntervalBytes) => LogOptions.Default with { IndexIntervalBytes = 0 },
            nameof(LogOptions.FlushInterval) => LogOptions.Default with { FlushInterval = TimeSpan.Zero },
            nameof(LogOptions.RetentionTime) => LogOptions.Default with { RetentionTime = TimeSpan.FromSeconds(-1) },
            nameof(LogOptions.RetentionBytes) => LogOptions.Default with { RetentionBytes = -1 },
            nameof(LogOptions.MaxRecordsPerBatch) => LogOptions.Default with { MaxRecordsPerBatch = 0 },
            _ => LogOptions.Default with { MaxBatchBytes = 10 },
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(setting, error.ParamName);
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }
}
