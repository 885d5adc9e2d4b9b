using Sluice.Log.Internal;

namespace Sluice.Log.Tests;

public sealed class LeaderEpochCacheTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string CheckpointPath => Path.Combine(_temp.Path, LeaderEpochCache.FileName);

    // Entries (1, 0), (2, 10), (4, 20); log end 30 — the shape of Kafka's LeaderEpochFileCacheTest cases.
    public static TheoryData<int, int, long> EndOffsets => new()
    {
        { 0, -1, -1 },   // below the first epoch: undefined
        { 1, 1, 10 },    // an earlier epoch ends where the next starts
        { 2, 2, 20 },
        { 3, 2, 20 },    // an epoch that never wrote: the one before it, up to the next that did
        { 4, 4, 30 },    // the latest: up to the log end
        { 5, 4, 30 },    // above the latest (not elected into the cache yet): the latest, up to the log end
    };

    [Theory]
    [MemberData(nameof(EndOffsets))]
    public async Task End_offset_for_epoch_follows_Kafka(int requested, int epoch, long endOffset)
    {
        await using var log = await OpenWithEpochsAsync();

        Assert.Equal(new EpochEndOffset(epoch, endOffset), log.EndOffsetForEpoch(requested));
    }

    [Fact]
    public async Task An_empty_cache_answers_undefined()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);

        Assert.Equal(-1, log.LatestEpoch);
        Assert.Empty(log.EpochEntries);
        Assert.Equal(EpochEndOffset.Undefined, log.EndOffsetForEpoch(0));
        Assert.True(log.EndOffsetForEpoch(5).IsUndefined);
        Assert.False(File.Exists(CheckpointPath));
    }

    [Fact]
    public async Task Entries_are_added_only_when_the_epoch_goes_up()
    {
        await using var log = await OpenWithEpochsAsync();

        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 10), new EpochEntry(4, 20)], log.EpochEntries);
        Assert.Equal(4, log.LatestEpoch);
    }

    [Fact]
    public async Task A_leader_append_below_the_latest_epoch_is_fenced_and_writes_nothing()
    {
        await using var log = await OpenWithEpochsAsync();

        await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendAsync(TestRecords.Make(1), 3));
        await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendEncodedAsync([Replication.Chunk(1)], 2));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await log.AppendAsync(TestRecords.Make(1), -1));

        Assert.Equal(30, log.LogEndOffset);
        Assert.Equal(30, (await log.AppendAsync(TestRecords.Make(1), 4)).BaseOffset);
    }

    [Fact]
    public async Task An_append_queued_behind_a_newer_epoch_is_fenced()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        await log.AppendAsync(TestRecords.Make(1), 1);

        // Whether the check on entry or the writer's catches the older one depends on how fast the first commits;
        // either way it is refused, because the writer takes them in call order.
        var newer = log.AppendAsync(TestRecords.Make(1), 5).AsTask();
        var older = ((Func<Task<AppendResult>>)(async () => await log.AppendAsync(TestRecords.Make(1), 4)))();

        Assert.Equal(1, (await newer.WaitAsync(Bound)).BaseOffset);
        await Assert.ThrowsAsync<ArgumentException>(() => older.WaitAsync(Bound));
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(5, 1)], log.EpochEntries);
        Assert.Equal(2, log.LogEndOffset);
    }

    [Fact]
    public async Task The_cache_is_persisted_across_a_reopen()
    {
        await (await OpenWithEpochsAsync()).DisposeAsync();
        var written = File.GetLastWriteTimeUtc(CheckpointPath);

        var logger = new ListLogger();
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default, logger);

        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 10), new EpochEntry(4, 20)], log.EpochEntries);
        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains("epoch cache", StringComparison.Ordinal));
        Assert.Equal(written, File.GetLastWriteTimeUtc(CheckpointPath));
    }

    public static TheoryData<string> Damage => ["deleted", "flipped byte", "truncated", "empty", "left behind"];

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task A_missing_corrupt_or_stale_cache_is_rebuilt_from_the_batch_headers(string damage)
    {
        byte[]? stale = null;
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default with { SegmentBytes = 300 }))
        {
            await AppendEpochsAsync(log);
            if (damage == "left behind")
            {
                stale = File.ReadAllBytes(CheckpointPath);
                await log.AppendAsync(TestRecords.Make(2), 7);
            }
        }

        var bytes = File.ReadAllBytes(CheckpointPath);
        switch (damage)
        {
            case "deleted":
                File.Delete(CheckpointPath);
                break;
            case "flipped byte":
                bytes[^3] ^= 1;
                File.WriteAllBytes(CheckpointPath, bytes);
                break;
            case "truncated":
                File.WriteAllBytes(CheckpointPath, bytes[..^4]);
                break;
            case "empty":
                File.WriteAllBytes(CheckpointPath, []);
                break;
            case "left behind":
                File.WriteAllBytes(CheckpointPath, stale!); // a crash after the batch was durable, before the checkpoint
                break;
        }

        var logger = new ListLogger();
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default with { SegmentBytes = 300 }, logger))
        {
            EpochEntry[] expected = damage == "left behind"
                ? [new EpochEntry(1, 0), new EpochEntry(2, 10), new EpochEntry(4, 20), new EpochEntry(7, 30)]
                : [new EpochEntry(1, 0), new EpochEntry(2, 10), new EpochEntry(4, 20)];
            Assert.Equal(expected, log.EpochEntries);
            Assert.Contains(logger.Entries, e => e.Message.Contains("Rebuilding the leader epoch cache", StringComparison.Ordinal));
            Assert.True(log.SegmentCount > 1);
        }

        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default with { SegmentBytes = 300 }, new ListLogger()))
        {
            Assert.Equal(damage == "left behind" ? 4 : 3, log.EpochEntries.Count); // the rebuilt file was written
        }
    }

    [Fact]
    public async Task Truncation_removes_the_entries_at_and_after_the_offset_durably()
    {
        await using (var log = await OpenWithEpochsAsync())
        {
            await log.TruncateToAsync(25);
            Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 10), new EpochEntry(4, 20)], log.EpochEntries);

            await log.TruncateToAsync(20);
            Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 10)], log.EpochEntries);
            Assert.Equal(new EpochEndOffset(2, 20), log.EndOffsetForEpoch(4));

            await log.TruncateToAsync(15);
            Assert.Equal(2, log.LatestEpoch);
            Assert.Equal(new EpochEndOffset(2, 15), log.EndOffsetForEpoch(2));

            // A lower epoch than before the truncation may write again: the newer epoch's records are gone.
            await log.AppendAsync(TestRecords.Make(5), 3);
            Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 10), new EpochEntry(3, 15)], log.EpochEntries);
            await log.TruncateToAsync(10);
        }

        var payload = CheckpointFile.TryRead(CheckpointPath, CheckpointFile.LeaderEpochKind, out var problem);
        Assert.Null(problem);
        Assert.Equal(4 + 12, payload!.Length); // one entry

        await using var reopened = PartitionLog.Open(_temp.Path, LogOptions.Default);
        Assert.Equal([new EpochEntry(1, 0)], reopened.EpochEntries);
    }

    [Fact]
    public async Task Recovery_of_a_torn_tail_drops_the_entries_it_cut_off()
    {
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            await log.AppendAsync(TestRecords.Make(3), 1);
            await log.AppendAsync(TestRecords.Make(3), 2);
        }

        var tail = TestRecords.TailSegment(_temp.Path);
        using (var file = new FileStream(tail, FileMode.Open))
        {
            file.SetLength(file.Length - 5); // inside the epoch-2 batch
        }

        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            Assert.Equal(3, log.LogEndOffset);
            Assert.Equal([new EpochEntry(1, 0)], log.EpochEntries);
            Assert.Equal(new EpochEndOffset(1, 3), log.EndOffsetForEpoch(2));
        }

        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            Assert.Equal([new EpochEntry(1, 0)], log.EpochEntries);
        }
    }

    [Fact]
    public async Task Retention_keeps_the_entries()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default with { SegmentBytes = 300, RetentionBytes = 0 });
        await AppendEpochsAsync(log);

        Assert.True(await log.EnforceRetentionAsync() > 0);

        Assert.Equal(20, log.LogStartOffset);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 10), new EpochEntry(4, 20)], log.EpochEntries);
    }

    private async Task<PartitionLog> OpenWithEpochsAsync()
    {
        var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        await AppendEpochsAsync(log);
        return log;
    }

    private static async Task AppendEpochsAsync(PartitionLog log)
    {
        foreach (var epoch in (int[])[1, 2, 2, 4])
        {
            await log.AppendAsync(TestRecords.Make(epoch == 2 ? 5 : 10, 20), epoch);
        }
    }
}
