using Sluice.Log.Internal;

namespace Sluice.Log.Tests;

public sealed class RecoveryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Reopen_after_dispose_keeps_every_record_and_continues_the_offsets()
    {
        var options = LogOptions.Default with { SegmentBytes = 1024 };
        await using (var log = PartitionLog.Open(_temp.Path, options))
        {
            for (var i = 0; i < 20; i++)
            {
                await log.AppendAsync(TestRecords.Make(3, 40, $"b{i}-"), leaderEpoch: 1);
            }
        }

        await using (var log = PartitionLog.Open(_temp.Path, options))
        {
            Assert.Equal(60, log.LogEndOffset);
            Assert.True(log.SegmentCount > 1);
            var all = await TestRecords.ReadAllAsync(log);
            Assert.Equal(Enumerable.Range(0, 60).Select(i => (long)i), all.Select(r => r.Offset));
            Assert.StartsWith("b19-2", TestRecords.Text(all[^1].Value), StringComparison.Ordinal);

            var result = await log.AppendAsync(TestRecords.Make(1), 2);
            Assert.Equal(60, result.BaseOffset);
        }
    }

    [Fact]
    public async Task Torn_tail_cut_mid_batch_recovers_to_the_last_complete_batch()
    {
        await AppendBatchesAsync(5);
        var tail = TestRecords.TailSegment(_temp.Path);
        var length = new FileInfo(tail).Length;
        using (var file = new FileStream(tail, FileMode.Open))
        {
            file.SetLength(length - 30); // inside the last batch
        }

        await AssertRecoveredToAsync(expectedEnd: 8);
    }

    [Fact]
    public async Task Torn_tail_cut_inside_a_batch_header_recovers_to_the_batch_before()
    {
        await AppendBatchesAsync(5);
        var tail = TestRecords.TailSegment(_temp.Path);
        var batchLength = new FileInfo(tail).Length / 5;
        using (var file = new FileStream(tail, FileMode.Open))
        {
            file.SetLength((batchLength * 4) + 10);
        }

        await AssertRecoveredToAsync(expectedEnd: 8);
    }

    [Fact]
    public async Task Recovery_warns_with_the_number_of_bytes_cut()
    {
        await AppendBatchesAsync(2);
        var tail = TestRecords.TailSegment(_temp.Path);
        using (var file = new FileStream(tail, FileMode.Append))
        {
            file.Write(new byte[123]);
        }

        var logger = new ListLogger();
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default, logger);

        var warning = Assert.Single(logger.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Contains("123 bytes", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains("fsync", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_open_of_the_same_directory_is_refused_while_the_first_is_open()
    {
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            var error = Assert.Throws<IOException>(() => PartitionLog.Open(_temp.Path, LogOptions.Default));
            Assert.Contains("already open", error.Message, StringComparison.Ordinal);
        }

        await using var reopened = PartitionLog.Open(_temp.Path, LogOptions.Default);
    }

    [Fact]
    public async Task Garbage_after_the_last_batch_is_cut_on_open()
    {
        await AppendBatchesAsync(5);
        var tail = TestRecords.TailSegment(_temp.Path);
        var goodLength = new FileInfo(tail).Length;
        var garbage = new byte[777];
        new Random(1).NextBytes(garbage);
        using (var file = new FileStream(tail, FileMode.Append))
        {
            file.Write(garbage);
        }

        await AssertRecoveredToAsync(expectedEnd: 10);
        Assert.Equal(goodLength + (BatchHeader.Size + 40), new FileInfo(tail).Length); // 10 kept + 1 new one-record batch
    }

    [Fact]
    public async Task Zeroes_after_the_last_batch_are_cut_on_open()
    {
        await AppendBatchesAsync(3);
        var tail = TestRecords.TailSegment(_temp.Path);
        using (var file = new FileStream(tail, FileMode.Append))
        {
            file.Write(new byte[4096]); // preallocated-but-unwritten space after a crash looks like this
        }

        await AssertRecoveredToAsync(expectedEnd: 6);
    }

    [Fact]
    public async Task Flipped_byte_in_the_last_batch_body_drops_that_batch_only()
    {
        await AppendBatchesAsync(5);
        var tail = TestRecords.TailSegment(_temp.Path);
        var bytes = File.ReadAllBytes(tail);
        bytes[^5] ^= 0xFF;
        File.WriteAllBytes(tail, bytes);

        await AssertRecoveredToAsync(expectedEnd: 8);
    }

    [Fact]
    public async Task Corrupt_batch_in_the_middle_of_the_tail_cuts_everything_after_it()
    {
        await AppendBatchesAsync(5);
        var tail = TestRecords.TailSegment(_temp.Path);
        var bytes = File.ReadAllBytes(tail);
        var batchLength = bytes.Length / 5;
        bytes[(batchLength * 2) + BatchHeader.Size + 3] ^= 0x10; // body of the third batch
        File.WriteAllBytes(tail, bytes);

        await AssertRecoveredToAsync(expectedEnd: 4);
    }

    [Fact]
    public async Task Missing_or_damaged_indexes_of_sealed_segments_are_rebuilt()
    {
        var time = new ManualTimeProvider();
        var options = LogOptions.Default with { SegmentBytes = 2048, IndexIntervalBytes = 128 };
        await using (var log = PartitionLog.Open(_temp.Path, options, timeProvider: time))
        {
            for (var i = 0; i < 40; i++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                await log.AppendAsync(TestRecords.Make(2, 50, $"b{i}-"), 1);
            }

            Assert.True(log.SegmentCount >= 3);
        }

        var indexes = Directory.GetFiles(_temp.Path, "*.index").Order(StringComparer.Ordinal).ToArray();
        File.Delete(indexes[0]);
        File.WriteAllBytes(Path.ChangeExtension(indexes[1], ".timeindex"), [1, 2, 3]);
        var garbled = File.ReadAllBytes(indexes[1]);
        garbled[^2] ^= 0x7F;
        File.WriteAllBytes(indexes[1], garbled);

        await using (var log = PartitionLog.Open(_temp.Path, options, timeProvider: time))
        {
            var all = await TestRecords.ReadAllAsync(log);
            Assert.Equal(80, all.Count);
            for (var offset = 0; offset < 80; offset += 7)
            {
                var one = await log.ReadAsync(offset, 1, 1);
                Assert.Equal(offset, Assert.Single(one.Records).Offset);
            }

            var t10 = all[20].TimestampMs;
            Assert.Equal(20, await log.FindOffsetByTimestampAsync(t10));
        }

        Assert.True(File.Exists(indexes[0]));
    }

    [Fact]
    public async Task Leftovers_of_an_interrupted_deletion_are_removed_on_open()
    {
        await AppendBatchesAsync(1);
        var stray = Path.Combine(_temp.Path, Segment.FileStem(12345) + Segment.IndexExtension);
        var renamed = Path.Combine(_temp.Path, Segment.FileStem(0) + ".timeindex" + Segment.DeletedSuffix);
        File.WriteAllBytes(stray, [1]);
        File.WriteAllBytes(renamed, [1]);

        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);

        Assert.False(File.Exists(stray));
        Assert.False(File.Exists(renamed));
        Assert.Equal(2, log.LogEndOffset);
    }

    private async Task AppendBatchesAsync(int batches)
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        for (var i = 0; i < batches; i++)
        {
            await log.AppendAsync(TestRecords.Make(2, 40, $"b{i}-"), 1);
        }
    }

    private async Task AssertRecoveredToAsync(long expectedEnd)
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        Assert.Equal(expectedEnd, log.LogEndOffset);
        var all = await TestRecords.ReadAllAsync(log);
        Assert.Equal(expectedEnd, all.Count);

        var next = await log.AppendAsync([new LogRecord("k"u8.ToArray(), new byte[40 - 1 - RecordHeader.Size])], 2);
        Assert.Equal(expectedEnd, next.BaseOffset);
        var read = await log.ReadAsync(expectedEnd, 10, 1000);
        Assert.Equal(expectedEnd, Assert.Single(read.Records).Offset);
    }
}
