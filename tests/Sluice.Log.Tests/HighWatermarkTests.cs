using System.Buffers.Binary;
using Sluice.Log.Internal;

namespace Sluice.Log.Tests;

public sealed class HighWatermarkTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string CheckpointPath => Path.Combine(_temp.Path, "high-watermark");

    [Fact]
    public async Task Advances_monotonically_and_never_past_the_log_end()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        Assert.Equal(0, log.HighWatermark);
        await log.AppendAsync(TestRecords.Make(10), 1);

        log.AdvanceHighWatermark(5);
        Assert.Equal(5, log.HighWatermark);
        log.AdvanceHighWatermark(3);
        Assert.Equal(5, log.HighWatermark);
        log.AdvanceHighWatermark(100);
        Assert.Equal(10, log.HighWatermark);
    }

    [Fact]
    public async Task A_waiter_wakes_once_the_high_watermark_reaches_its_offset()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        await log.AppendAsync(TestRecords.Make(10), 1);
        var wait = log.WaitForHighWatermarkAsync(7, Bound);
        Assert.False(wait.IsCompleted);

        log.AdvanceHighWatermark(6);
        Assert.False(wait.IsCompleted);
        log.AdvanceHighWatermark(7);

        Assert.True(await wait.WaitAsync(Bound));
    }

    [Fact]
    public async Task A_satisfied_wait_completes_synchronously()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        await log.AppendAsync(TestRecords.Make(3), 1);
        log.AdvanceHighWatermark(3);

        var wait = log.WaitForHighWatermarkAsync(3, TimeSpan.Zero);

        Assert.True(wait.IsCompletedSuccessfully);
        Assert.True(await wait);
    }

    [Fact]
    public async Task A_wait_times_out_with_false()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);

        Assert.False(await log.WaitForHighWatermarkAsync(1, TimeSpan.FromMilliseconds(50)).WaitAsync(Bound));
        Assert.False(await log.WaitForHighWatermarkAsync(1, TimeSpan.Zero).WaitAsync(Bound));
    }

    [Fact]
    public async Task Cancellation_ends_a_wait()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        using var cancel = new CancellationTokenSource();
        var wait = log.WaitForHighWatermarkAsync(1, Bound, cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Bound));
    }

    [Fact]
    public async Task Closing_the_log_ends_a_wait_with_false()
    {
        var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        var wait = log.WaitForHighWatermarkAsync(1, Bound);

        await log.DisposeAsync();

        Assert.False(await wait.WaitAsync(Bound));
    }

    [Fact]
    public async Task Many_waiters_that_time_out_leave_nothing_behind_for_the_next_advance()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        await log.AppendAsync(TestRecords.Make(2), 1);
        for (var i = 0; i < 100; i++)
        {
            Assert.False(await log.WaitForHighWatermarkAsync(2, TimeSpan.FromMilliseconds(1)).WaitAsync(Bound));
        }

        var wait = log.WaitForHighWatermarkAsync(2, Bound);
        log.AdvanceHighWatermark(2);
        Assert.True(await wait.WaitAsync(Bound));
    }

    [Fact]
    public async Task Is_persisted_across_a_reopen_and_starts_at_the_log_start_without_a_checkpoint()
    {
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            await log.AppendAsync(TestRecords.Make(10), 1);
            log.AdvanceHighWatermark(8);
        }

        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            Assert.Equal(8, log.HighWatermark);
        }

        File.Delete(CheckpointPath);
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            Assert.Equal(0, log.HighWatermark);
        }
    }

    [Fact]
    public async Task A_corrupt_checkpoint_counts_as_missing()
    {
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            await log.AppendAsync(TestRecords.Make(10), 1);
            log.AdvanceHighWatermark(8);
        }

        var bytes = File.ReadAllBytes(CheckpointPath);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(CheckpointPath, bytes);

        await using var reopened = PartitionLog.Open(_temp.Path, LogOptions.Default);
        Assert.Equal(0, reopened.HighWatermark);
    }

    [Fact]
    public async Task A_checkpoint_past_the_recovered_end_is_clamped_to_it()
    {
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            await log.AppendAsync(TestRecords.Make(4), 1);
            await log.AppendAsync(TestRecords.Make(4), 1);
            log.AdvanceHighWatermark(8);
        }

        var tail = TestRecords.TailSegment(_temp.Path);
        using (var file = new FileStream(tail, FileMode.Open))
        {
            file.SetLength(file.Length - 5);
        }

        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            Assert.Equal((4L, 4L), (log.LogEndOffset, log.HighWatermark));
            Assert.Equal(4, ReadCheckpoint()); // rewritten at once: later appends must not revive the old value
        }
    }

    [Fact]
    public async Task Truncation_lowers_it_and_rewrites_the_checkpoint_at_once()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        await log.AppendAsync(TestRecords.Make(10), 1);
        log.AdvanceHighWatermark(9);

        await log.TruncateToAsync(12);
        Assert.Equal(9, log.HighWatermark);
        await log.TruncateToAsync(6);

        Assert.Equal(6, log.HighWatermark);
        Assert.Equal(6, ReadCheckpoint());
        await log.AppendAsync(TestRecords.Make(10), 1);
        Assert.Equal(6, log.HighWatermark);
    }

    [Fact]
    public async Task Retention_raises_it_to_the_new_log_start()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default with { SegmentBytes = 300, RetentionBytes = 0 });
        for (var i = 0; i < 5; i++)
        {
            await log.AppendAsync(TestRecords.Make(2, 80), 1);
        }

        await log.EnforceRetentionAsync();

        Assert.Equal(8, log.LogStartOffset);
        Assert.Equal(8, log.HighWatermark);
    }

    [Fact]
    public async Task Reads_bounded_by_an_end_offset_stop_before_it()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        for (var i = 0; i < 10; i++)
        {
            await log.AppendAsync(TestRecords.Make(1), 1);
        }

        await log.AppendAsync(TestRecords.Make(5), 1);
        log.AdvanceHighWatermark(12); // inside the last batch

        var committed = await log.ReadAsync(0, 100, 1 << 20, log.HighWatermark);
        Assert.Equal(Enumerable.Range(0, 12).Select(static i => (long)i), committed.Records.Select(static r => r.Offset));
        Assert.Equal((12L, 15L), (committed.NextOffset, committed.LogEndOffset));

        var inBatch = await log.ReadAsync(10, 100, 1 << 20, 12);
        Assert.Equal([10L, 11L], inBatch.Records.Select(static r => r.Offset));

        var atEnd = await log.ReadAsync(12, 100, 1 << 20, 12);
        Assert.Empty(atEnd.Records);
        Assert.Equal(12, atEnd.NextOffset);

        var past = await log.ReadAsync(14, 100, 1 << 20, 12);
        Assert.Empty(past.Records);
        Assert.Equal(14, past.NextOffset);

        var limited = await log.ReadAsync(0, 3, 1 << 20, 12);
        Assert.Equal(3, limited.NextOffset);
        Assert.Equal(15, (await log.ReadAsync(0, 100, 1 << 20, long.MaxValue)).NextOffset);
        await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await log.ReadAsync(16, 100, 1 << 20, 12));
    }

    [Fact]
    public async Task Reset_sets_it_to_the_new_start_durably()
    {
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            await log.AppendAsync(TestRecords.Make(10), 1);
            log.AdvanceHighWatermark(10);
            await log.ResetAsync(500);

            Assert.Equal(500, log.HighWatermark);
            Assert.Equal(500, ReadCheckpoint());
            Assert.True(await log.WaitForHighWatermarkAsync(500, TimeSpan.Zero));
            log.AdvanceHighWatermark(501);
            Assert.Equal(500, log.HighWatermark);
        }

        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            Assert.Equal((500L, 500L, 500L), (log.LogStartOffset, log.LogEndOffset, log.HighWatermark));
        }
    }

    private long ReadCheckpoint()
    {
        var payload = CheckpointFile.TryRead(CheckpointPath, CheckpointFile.HighWatermarkKind, out var problem);
        Assert.Null(problem);
        return BinaryPrimitives.ReadInt64LittleEndian(payload);
    }
}
