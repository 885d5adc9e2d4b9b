using Sluice.Log.Internal;

namespace Sluice.Log.Tests;

public sealed class ReplicationTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _leaderDir = new();
    private readonly TempDirectory _followerDir = new();

    public void Dispose()
    {
        _leaderDir.Dispose();
        _followerDir.Dispose();
    }

    [Theory]
    [InlineData(1)]          // one batch per round, whatever its size
    [InlineData(300)]
    [InlineData(1 << 20)]
    public async Task Leader_batches_replicated_to_a_follower_are_byte_identical(int maxBytes)
    {
        var leaderClock = new ManualTimeProvider(1_700_000_000_000);
        await using var leader = PartitionLog.Open(_leaderDir.Path, LogOptions.Default, timeProvider: leaderClock);
        await FillAsync(leader, leaderClock);

        // A follower whose clock is far ahead: nothing of its own may leak into the copy.
        await using var follower = PartitionLog.Open(_followerDir.Path, LogOptions.Default, timeProvider: new ManualTimeProvider(1_900_000_000_000));
        await Replication.CatchUpAsync(leader, follower, maxBytes);

        Assert.Equal(leader.LogEndOffset, follower.LogEndOffset);
        Assert.Equal(Replication.SegmentBytes(_leaderDir.Path), Replication.SegmentBytes(_followerDir.Path));
        Assert.Equal(leader.SizeInBytes, follower.SizeInBytes);
        Assert.Equal(leader.LastTimestampMs, follower.LastTimestampMs);
        Assert.Equal(leader.EpochEntries, follower.EpochEntries);
        Assert.Equal(leader.LatestEpoch, follower.LatestEpoch);
        Assert.Equal(await leader.ReadBatchSummariesAsync(0, 100), await follower.ReadBatchSummariesAsync(0, 100));

        var expected = await TestRecords.ReadAllAsync(leader);
        var actual = await TestRecords.ReadAllAsync(follower);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Offset, actual[i].Offset);
            Assert.Equal(expected[i].TimestampMs, actual[i].TimestampMs);
            Assert.Equal(expected[i].LeaderEpoch, actual[i].LeaderEpoch);
            Assert.Equal(expected[i].Key.ToArray(), actual[i].Key.ToArray());
            Assert.Equal(expected[i].Value.ToArray(), actual[i].Value.ToArray());
        }

        foreach (var timestamp in (long[])[0, 1_700_000_004_000, 1_700_000_004_001, 1_700_000_012_000, long.MaxValue])
        {
            Assert.Equal(await leader.FindOffsetByTimestampAsync(timestamp), await follower.FindOffsetByTimestampAsync(timestamp));
        }
    }

    [Fact]
    public async Task A_replicated_log_survives_a_reopen_and_keeps_following()
    {
        var options = LogOptions.Default with { SegmentBytes = 400, IndexIntervalBytes = 64 };
        var clock = new ManualTimeProvider();
        await using var leader = PartitionLog.Open(_leaderDir.Path, options, timeProvider: clock);
        await FillAsync(leader, clock);
        await using (var follower = PartitionLog.Open(_followerDir.Path, options))
        {
            await Replication.CatchUpAsync(leader, follower, maxBytes: 500);
            Assert.True(follower.SegmentCount > 1);
        }

        await leader.AppendAsync(TestRecords.Make(2), 9);
        await using (var follower = PartitionLog.Open(_followerDir.Path, options))
        {
            Assert.Equal(leader.EpochEntries.Take(leader.EpochEntries.Count - 1), follower.EpochEntries);
            await Replication.CatchUpAsync(leader, follower);
            Assert.Equal(Replication.SegmentBytes(_leaderDir.Path), Replication.SegmentBytes(_followerDir.Path));
            Assert.Equal(leader.EpochEntries, follower.EpochEntries);
            Assert.Equal(
                (await TestRecords.ReadAllAsync(leader)).Select(static r => (r.Offset, r.LeaderEpoch, r.TimestampMs)),
                (await TestRecords.ReadAllAsync(follower)).Select(static r => (r.Offset, r.LeaderEpoch, r.TimestampMs)));
        }
    }

    [Fact]
    public async Task A_written_group_is_fetchable_for_followers_before_its_sync_but_not_visible_to_readers()
    {
        await using var log = PartitionLog.Open(_leaderDir.Path, LogOptions.Default);
        await log.AppendAsync(TestRecords.Make(2), 1);
        var seen = new List<(long LogEnd, long WrittenEnd, long FetchedNext, int FetchedCount, bool PlainEmpty)>();

        // Written runs on the writer after the group is in the file and before it is synced and published.
        log.Written = () =>
        {
            using var unsynced = log.ReadBatchesAsync(log.LogEndOffset, int.MaxValue, includeUnsynced: true).AsTask().Result;
            using var plain = log.ReadBatchesAsync(log.LogEndOffset, int.MaxValue).AsTask().Result;
            seen.Add((log.LogEndOffset, log.WrittenEndOffset, unsynced.NextOffset, unsynced.BatchCount, plain.BatchCount == 0));
        };
        await log.AppendAsync(TestRecords.Make(3), 1);
        log.Written = null;

        var (logEnd, writtenEnd, fetchedNext, fetchedCount, plainEmpty) = Assert.Single(seen);
        Assert.Equal(2, logEnd);
        Assert.Equal(5, writtenEnd);
        Assert.Equal(5, fetchedNext);
        Assert.Equal(1, fetchedCount);
        Assert.True(plainEmpty);
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal(5, log.WrittenEndOffset);

        // Beyond the written end is out of range either way; a truncation lowers both ends.
        await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await log.ReadBatchesAsync(6, 100, includeUnsynced: true));
        await log.TruncateToAsync(2);
        Assert.Equal(2, log.WrittenEndOffset);
        using var afterTruncation = await log.ReadBatchesAsync(2, 100, includeUnsynced: true);
        Assert.Equal(0, afterTruncation.BatchCount);
    }

    [Fact]
    public async Task Raw_reads_take_whole_batches_up_to_max_bytes_but_always_the_first()
    {
        await using var log = PartitionLog.Open(_leaderDir.Path, LogOptions.Default);
        var first = await log.AppendAsync(TestRecords.Make(3, 100), 1);
        await log.AppendAsync(TestRecords.Make(1, 10), 1);
        await log.AppendAsync(TestRecords.Make(2, 10), 1);
        using var all = await log.ReadBatchesAsync(0, int.MaxValue);
        var firstLength = Replication.FirstBatchLength(all.Bytes.Span);
        var secondLength = Replication.FirstBatchLength(all.Bytes.Span[firstLength..]);

        using (var tiny = await log.ReadBatchesAsync(0, 1))
        {
            Assert.Equal((1, 0L, 3L, firstLength), (tiny.BatchCount, tiny.FirstOffset, tiny.NextOffset, tiny.Bytes.Length));
        }

        using (var exact = await log.ReadBatchesAsync(0, firstLength + secondLength))
        {
            Assert.Equal((2, 4L), (exact.BatchCount, exact.NextOffset));
            Assert.Equal(all.Bytes[..(firstLength + secondLength)].ToArray(), exact.Bytes.ToArray());
        }

        using (var short1 = await log.ReadBatchesAsync(0, firstLength + secondLength - 1))
        {
            Assert.Equal((1, 3L), (short1.BatchCount, short1.NextOffset));
        }

        using (var fromSecond = await log.ReadBatchesAsync(3, int.MaxValue))
        {
            Assert.Equal((2, 3L, 6L), (fromSecond.BatchCount, fromSecond.FirstOffset, fromSecond.NextOffset));
            Assert.Equal(all.Bytes[firstLength..].ToArray(), fromSecond.Bytes.ToArray());
        }

        Assert.Equal((3, 6L), (all.BatchCount, all.NextOffset));
        Assert.Equal(0, first.BaseOffset);
    }

    [Fact]
    public async Task Raw_reads_continue_across_segments()
    {
        await using var log = PartitionLog.Open(_leaderDir.Path, LogOptions.Default with { SegmentBytes = 300 });
        for (var i = 0; i < 10; i++)
        {
            await log.AppendAsync(TestRecords.Make(2, 40), 1);
        }

        Assert.True(log.SegmentCount > 3);
        using var all = await log.ReadBatchesAsync(0, int.MaxValue);

        Assert.Equal((10, 20L), (all.BatchCount, all.NextOffset));
        Assert.Equal(Replication.SegmentBytes(_leaderDir.Path), all.Bytes.ToArray());
    }

    [Fact]
    public async Task Raw_reads_at_the_end_are_empty_and_outside_the_log_are_out_of_range()
    {
        await using var log = PartitionLog.Open(_leaderDir.Path, LogOptions.Default);
        using (var empty = await log.ReadBatchesAsync(0, 100))
        {
            Assert.Equal((0, 0L, 0L, 0), (empty.BatchCount, empty.FirstOffset, empty.NextOffset, empty.Bytes.Length));
        }

        await log.AppendAsync(TestRecords.Make(2), 1);
        using (var atEnd = await log.ReadBatchesAsync(2, 100))
        {
            Assert.Equal((0, 2L, 2L), (atEnd.BatchCount, atEnd.FirstOffset, atEnd.NextOffset));
        }

        await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await log.ReadBatchesAsync(3, 100));
        await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await log.ReadBatchesAsync(-1, 100));
    }

    [Fact]
    public async Task A_raw_read_inside_a_batch_is_rejected()
    {
        await using var log = PartitionLog.Open(_leaderDir.Path, LogOptions.Default with { IndexIntervalBytes = 1 });
        await log.AppendAsync(TestRecords.Make(1), 1);
        await log.AppendAsync(TestRecords.Make(5), 1);
        await log.AppendAsync(TestRecords.Make(1), 1);

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await log.ReadBatchesAsync(3, 1000));
        Assert.Contains("[1, 6)", error.Message, StringComparison.Ordinal);
        using var atBoundary = await log.ReadBatchesAsync(6, 1000);
        Assert.Equal(1, atBoundary.BatchCount);
    }

    [Fact]
    public async Task Disposing_raw_batches_releases_their_bytes()
    {
        await using var log = PartitionLog.Open(_leaderDir.Path, LogOptions.Default);
        await log.AppendAsync(TestRecords.Make(2), 1);
        var batches = await log.ReadBatchesAsync(0, 100);
        Assert.False(batches.Bytes.IsEmpty);

        batches.Dispose();
        batches.Dispose();

        Assert.True(batches.Bytes.IsEmpty);
    }

    public static TheoryData<string> Corruptions => ["flipped byte", "truncated", "gap", "overlap", "lower epoch", "bad magic", "not contiguous", "second batch corrupt", "zero records", "epoch goes back within the call"];

    [Theory]
    [MemberData(nameof(Corruptions))]
    public async Task Invalid_replicated_batches_are_rejected_and_nothing_of_them_is_written(string corruption)
    {
        await using var leader = PartitionLog.Open(_leaderDir.Path, LogOptions.Default);
        await leader.AppendAsync(TestRecords.Make(2), 3);
        await leader.AppendAsync(TestRecords.Make(3), 3);
        await leader.AppendAsync(TestRecords.Make(1), 3);
        using var all = await leader.ReadBatchesAsync(0, int.MaxValue);
        var bytes = all.Bytes.ToArray();
        var first = Replication.FirstBatchLength(bytes);
        var second = Replication.FirstBatchLength(bytes.AsSpan(first));

        await using var follower = PartitionLog.Open(_followerDir.Path, LogOptions.Default);
        Assert.Equal(2, await follower.AppendBatchesAsync(bytes.AsMemory(0, first))); // in epoch 3, at offset 2 now
        var sizeBefore = follower.SizeInBytes;
        var rest = bytes[first..]; // batches at offsets 2 and 5: valid as they are

        byte[] bad = corruption switch
        {
            "flipped byte" => Flip(rest, second - 3),
            "truncated" => rest[..^10],
            "gap" => rest[second..],
            "overlap" => bytes,
            "lower epoch" => [.. Replication.Restamp(rest.AsSpan(0, second), 2, 2), .. Replication.Restamp(rest.AsSpan(second), 5, 2)],
            "bad magic" => Set(rest, 12, 99),
            "not contiguous" => [.. rest.AsSpan(0, second), .. Replication.Restamp(rest.AsSpan(second), 6, 3)],
            "second batch corrupt" => Flip(rest, second + 70),
            "zero records" => ZeroRecords(rest, second),
            "epoch goes back within the call" => [.. Replication.Restamp(rest.AsSpan(0, second), 2, 4), .. rest.AsSpan(second)],
            _ => throw new ArgumentOutOfRangeException(nameof(corruption)),
        };

        await Assert.ThrowsAsync<InvalidDataException>(async () => await follower.AppendBatchesAsync(bad));

        Assert.Equal(2, follower.LogEndOffset);
        Assert.Equal(sizeBefore, follower.SizeInBytes);
        Assert.Equal(bytes[..first], Replication.SegmentBytes(_followerDir.Path));
        Assert.Equal([new EpochEntry(3, 0)], follower.EpochEntries);
        Assert.Equal(6, await follower.AppendBatchesAsync(rest)); // the log still takes the right batches
        Assert.Equal(bytes, Replication.SegmentBytes(_followerDir.Path));
    }

    [Fact]
    public async Task Concurrent_replicated_appends_are_written_in_call_order()
    {
        await using var leader = PartitionLog.Open(_leaderDir.Path, LogOptions.Default);
        for (var i = 0; i < 50; i++)
        {
            await leader.AppendAsync(TestRecords.Make(1 + (i % 4), 20, $"b{i}-"), 1 + (i / 10));
        }

        var rounds = new List<byte[]>();
        for (var offset = 0L; offset < leader.LogEndOffset;)
        {
            using var batches = await leader.ReadBatchesAsync(offset, 200);
            rounds.Add(batches.Bytes.ToArray());
            offset = batches.NextOffset;
        }

        await using var follower = PartitionLog.Open(_followerDir.Path, LogOptions.Default);
        var appends = rounds.Select(r => follower.AppendBatchesAsync(r).AsTask()).ToList(); // all in flight at once
        var ends = await Task.WhenAll(appends).WaitAsync(Bound);

        Assert.Equal(ends.Order(), ends);
        Assert.Equal(leader.LogEndOffset, ends[^1]);
        Assert.Equal(Replication.SegmentBytes(_leaderDir.Path), Replication.SegmentBytes(_followerDir.Path));
        Assert.Equal(leader.EpochEntries, follower.EpochEntries);
    }

    [Fact]
    public async Task A_replicated_append_out_of_order_with_concurrent_ones_fails_alone()
    {
        await using var leader = PartitionLog.Open(_leaderDir.Path, LogOptions.Default);
        await leader.AppendAsync(TestRecords.Make(2), 1);
        await leader.AppendAsync(TestRecords.Make(2), 1);
        using var first = await leader.ReadBatchesAsync(0, 1);
        using var second = await leader.ReadBatchesAsync(2, 1);

        await using var follower = PartitionLog.Open(_followerDir.Path, LogOptions.Default);
        var early = follower.AppendBatchesAsync(second.Bytes).AsTask();
        var right = follower.AppendBatchesAsync(first.Bytes).AsTask();

        await Assert.ThrowsAsync<InvalidDataException>(() => early.WaitAsync(Bound));
        Assert.Equal(2, await right.WaitAsync(Bound));
        Assert.Equal(4, await follower.AppendBatchesAsync(second.Bytes));
    }

    [Fact]
    public async Task Replicated_appends_wake_data_waiters_and_empty_input_returns_the_end()
    {
        await using var leader = PartitionLog.Open(_leaderDir.Path, LogOptions.Default);
        await leader.AppendAsync(TestRecords.Make(2), 1);
        await using var follower = PartitionLog.Open(_followerDir.Path, LogOptions.Default with { FlushPolicy = FlushPolicy.Interval });
        var wait = follower.WaitForDataAsync(0, Bound);
        Assert.Equal(0, await follower.AppendBatchesAsync(ReadOnlyMemory<byte>.Empty));
        Assert.False(wait.IsCompleted);

        using var batches = await leader.ReadBatchesAsync(0, 1000);
        await follower.AppendBatchesAsync(batches.Bytes);

        Assert.True(await wait.WaitAsync(Bound));
        Assert.Equal(2, await follower.AppendBatchesAsync(ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public async Task A_follower_that_became_leader_appends_after_the_replicated_batches_with_later_timestamps()
    {
        var leaderClock = new ManualTimeProvider(2_000_000_000_000);
        await using var leader = PartitionLog.Open(_leaderDir.Path, LogOptions.Default, timeProvider: leaderClock);
        await leader.AppendAsync(TestRecords.Make(2), 1);
        var followerClock = new ManualTimeProvider(1_000_000_000_000); // behind the old leader's clock
        await using var follower = PartitionLog.Open(_followerDir.Path, LogOptions.Default, timeProvider: followerClock);
        await Replication.CatchUpAsync(leader, follower);

        var appended = await follower.AppendAsync(TestRecords.Make(1), 2);

        Assert.Equal(2, appended.BaseOffset);
        Assert.True(appended.TimestampMs >= leader.LastTimestampMs);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 2)], follower.EpochEntries);
    }

    [Fact]
    public async Task Producer_fields_round_trip_through_headers_and_replication()
    {
        await using var leader = PartitionLog.Open(_leaderDir.Path, LogOptions.Default);
        await leader.AppendEncodedAsync([Replication.Chunk(3)], 1, new ProducerBatch(42, 3, 7));
        await leader.AppendEncodedAsync([Replication.Chunk(1)], 1);
        await leader.AppendEncodedAsync([Replication.Chunk(2), Replication.Chunk(2)], 2, new ProducerBatch(long.MaxValue, short.MaxValue, int.MaxValue));
        await leader.AppendAsync(TestRecords.Make(1), 2);

        var summaries = await leader.ReadBatchSummariesAsync(0, 10);

        Assert.Equal(
            [(0L, 3, 1, 42L, (short)3, 7), (3L, 1, 1, -1L, (short)-1, -1), (4L, 4, 2, long.MaxValue, short.MaxValue, int.MaxValue), (8L, 1, 2, -1L, (short)-1, -1)],
            summaries.Select(static s => (s.BaseOffset, s.RecordCount, s.LeaderEpoch, s.ProducerId, s.ProducerEpoch, s.BaseSequence)));
        Assert.All(summaries, s => Assert.True(s.MaxTimestamp > 0));
        Assert.Equal("e1", TestRecords.Text((await leader.ReadAsync(1, 1, 100)).Records[0].Value));

        await using var follower = PartitionLog.Open(_followerDir.Path, LogOptions.Default);
        await Replication.CatchUpAsync(leader, follower, maxBytes: 1);
        Assert.Equal(summaries, await follower.ReadBatchSummariesAsync(0, 10));
    }

    [Fact]
    public async Task Batch_summaries_start_at_the_batch_holding_the_offset_and_respect_the_limit_and_the_log_start()
    {
        await using var log = PartitionLog.Open(_leaderDir.Path, LogOptions.Default with { SegmentBytes = 300, IndexIntervalBytes = 1, RetentionBytes = 600 });
        for (var i = 0; i < 12; i++)
        {
            await log.AppendEncodedAsync([Replication.Chunk(3)], 1, new ProducerBatch(5, 0, i * 3));
        }

        var middle = await log.ReadBatchSummariesAsync(16, 2);
        Assert.Equal([15L, 18L], middle.Select(static s => s.BaseOffset));
        Assert.Equal([15, 18], middle.Select(static s => s.BaseSequence));
        Assert.Equal(12, (await log.ReadBatchSummariesAsync(0, 100)).Count);
        Assert.Empty(await log.ReadBatchSummariesAsync(36, 10));
        Assert.Empty(await log.ReadBatchSummariesAsync(1000, 10));

        Assert.True(await log.EnforceRetentionAsync() > 0);
        var fromStart = await log.ReadBatchSummariesAsync(0, 100);
        Assert.Equal(log.LogStartOffset, fromStart[0].BaseOffset);
        Assert.Equal(36, fromStart[^1].NextOffset);
    }

    [Fact]
    public async Task Reset_empties_the_log_at_an_offset_and_appends_and_replication_continue_from_there()
    {
        var options = LogOptions.Default with { SegmentBytes = 300 };
        await using var leader = PartitionLog.Open(_leaderDir.Path, options with { RetentionBytes = 300 });
        for (var i = 0; i < 10; i++)
        {
            await leader.AppendAsync(TestRecords.Make(2, 40), 1 + (i / 5));
        }

        await leader.EnforceRetentionAsync();
        Assert.True(leader.LogStartOffset > 0);

        await using (var follower = PartitionLog.Open(_followerDir.Path, options))
        {
            await follower.AppendAsync(TestRecords.Make(3), 1);
            follower.AdvanceHighWatermark(2);
            await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await leader.ReadBatchesAsync(follower.LogEndOffset, 1000));

            await follower.ResetAsync(leader.LogStartOffset);

            Assert.Equal((leader.LogStartOffset, leader.LogStartOffset, leader.LogStartOffset), (follower.LogStartOffset, follower.LogEndOffset, follower.HighWatermark));
            Assert.Equal((1, 0L, -1), (follower.SegmentCount, follower.SizeInBytes, follower.LatestEpoch));
            Assert.Empty(follower.EpochEntries);
            Assert.Single(Directory.GetFiles(_followerDir.Path, "*.log"));
            await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await follower.ReadAsync(0, 10, 1000));
            Assert.Empty((await follower.ReadAsync(follower.LogStartOffset, 10, 1000)).Records);

            await Replication.CatchUpAsync(leader, follower);
            Assert.Equal([new EpochEntry(2, leader.LogStartOffset)], follower.EpochEntries); // its own history starts there
        }

        await using (var follower = PartitionLog.Open(_followerDir.Path, options))
        {
            Assert.Equal((leader.LogStartOffset, leader.LogEndOffset), (follower.LogStartOffset, follower.LogEndOffset));
            Assert.Equal(
                (await TestRecords.ReadAllAsync(leader)).Select(static r => (r.Offset, r.LeaderEpoch, r.TimestampMs)),
                (await TestRecords.ReadAllAsync(follower)).Select(static r => (r.Offset, r.LeaderEpoch, r.TimestampMs)));
        }
    }

    [Fact]
    public async Task Reset_to_the_current_base_offset_and_then_appending_works()
    {
        await using var log = PartitionLog.Open(_leaderDir.Path, LogOptions.Default);
        await log.AppendAsync(TestRecords.Make(3), 4);

        await log.ResetAsync(0);

        Assert.Equal((0L, 0L, -1), (log.LogEndOffset, log.SizeInBytes, log.LatestEpoch));
        var appended = await log.AppendAsync(TestRecords.Make(1, 8, "fresh"), 1);
        Assert.Equal(0, appended.BaseOffset);
        Assert.Equal("fresh0\0\0", TestRecords.Text((await log.ReadAsync(0, 10, 1000)).Records[0].Value));
        Assert.Equal([new EpochEntry(1, 0)], log.EpochEntries);
    }

    private static async Task FillAsync(PartitionLog leader, ManualTimeProvider clock)
    {
        // Several epochs, sizes, producers, and a timestamp per batch.
        for (var i = 0; i < 12; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var epoch = i < 4 ? 1 : i < 9 ? 3 : 4;
            if (i % 3 == 0)
            {
                await leader.AppendEncodedAsync([Replication.Chunk(1 + (i % 5), $"p{i}-")], epoch, new ProducerBatch(100 + i, (short)i, i * 10));
            }
            else
            {
                await leader.AppendAsync(TestRecords.Make(1 + (i % 4), 30 * (i % 3), $"b{i}-"), epoch);
            }
        }
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = bytes.ToArray();
        copy[at] ^= 0x5A;
        return copy;
    }

    private static byte[] ZeroRecords(byte[] bytes, int firstLength)
    {
        // A CRC that matches, so that the record count is what gets it refused.
        var copy = Set(bytes, 28, 0);
        BatchHeader.StampCrc(copy.AsSpan(0, firstLength));
        return copy;
    }

    private static byte[] Set(byte[] bytes, int at, byte value)
    {
        var copy = bytes.ToArray();
        copy[at] = value;
        return copy;
    }
}
