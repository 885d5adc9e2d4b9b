using System.Text;

namespace Sluice.Log.Tests;

public sealed class FileSystemSyncTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_sync_asked_for_while_a_round_runs_starts_its_own_round_instead_of_waiting_for_that_one()
    {
        using var sync = new Sluice.Log.Internal.FileSystemSync(_temp.Path);
        using var file = File.OpenHandle(Path.Combine(_temp.Path, "f"), FileMode.Create, FileAccess.ReadWrite);
        using var release = new SemaphoreSlim(0);
        var started = 0;
        sync.BeforeRound = () =>
        {
            // The first round stays in flight until released; later ones run through.
            if (Interlocked.Increment(ref started) == 1)
            {
                release.Wait(TimeSpan.FromSeconds(30));
            }
        };

        var first = sync.SyncAsync(file);
        await WaitUntilAsync(() => Volatile.Read(ref started) == 1);
        var second = sync.SyncAsync(file);
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(first.IsCompleted);

        // Released, the first round ends too, and later requests are still served.
        release.Release();
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        await sync.SyncAsync(file).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, Volatile.Read(ref started));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(5);
        }
    }

    [Theory]
    [InlineData(SyncMode.FileSystem)]
    [InlineData(SyncMode.File)]
    public async Task Many_logs_of_one_store_append_concurrently_and_everything_is_there_after_reopen(SyncMode mode)
    {
        const int Logs = 12, AppendsEach = 40;
        var options = LogOptions.Default with { SyncMode = mode };
        await using (var store = new LogStore(_temp.Path, options))
        {
            await Task.WhenAll(Enumerable.Range(0, Logs).Select(l => Task.Run(async () =>
            {
                var log = store.GetOrOpen($"s/{l}");
                for (var i = 0; i < AppendsEach; i++)
                {
                    var result = await log.AppendAsync([new LogRecord(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes($"{l}:{i}"))], 1);
                    Assert.Equal(i, result.BaseOffset);
                }
            })));
        }

        await using var reopened = new LogStore(_temp.Path, options);
        for (var l = 0; l < Logs; l++)
        {
            var read = await reopened.GetOrOpen($"s/{l}").ReadAsync(0, 1000, 1 << 20);
            Assert.Equal(Enumerable.Range(0, AppendsEach).Select(i => $"{l}:{i}"), read.Records.Select(r => Encoding.UTF8.GetString(r.Value.Span)));
        }
    }

    [Fact]
    public async Task Pipelined_commits_keep_one_total_order_across_segment_rolls_and_readers_never_see_a_gap()
    {
        // Small segments roll while a written group still waits for its sync; many appenders keep a group pending
        // almost all the time, so the overlap between writing group N+1 and finishing group N is exercised.
        const int Appenders = 8, AppendsEach = 60;
        var options = LogOptions.Default with { SyncMode = SyncMode.FileSystem, SegmentBytes = 8 * 1024, IndexIntervalBytes = 512 };
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<long, string>();
        await using (var store = new LogStore(_temp.Path, options))
        {
            var log = store.GetOrOpen("s/0");
            using var done = new CancellationTokenSource();
            var reader = Task.Run(async () =>
            {
                // Whatever is visible is a gap-free prefix whose values were (or are about to be) acknowledged there.
                var seen = 0L;
                while (!done.IsCancellationRequested || seen < log.LogEndOffset)
                {
                    var read = await log.ReadAsync(seen, 1000, 1 << 20);
                    foreach (var record in read.Records)
                    {
                        Assert.Equal(seen, record.Offset);
                        seen++;
                    }
                }

                return seen;
            });
            await Task.WhenAll(Enumerable.Range(0, Appenders).Select(a => Task.Run(async () =>
            {
                for (var i = 0; i < AppendsEach; i++)
                {
                    var value = $"{a}:{i}:" + new string('x', 100);
                    var result = await log.AppendAsync([TestRecords.One("k", value), TestRecords.One("k", value + "!")], 1);
                    Assert.True(log.LogEndOffset >= result.BaseOffset + 2, "an acknowledged append is visible");
                    Assert.True(acknowledged.TryAdd(result.BaseOffset, value), $"offset {result.BaseOffset} acknowledged twice");
                }
            })));
            await done.CancelAsync();
            Assert.Equal(Appenders * AppendsEach * 2L, await reader.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.True(log.SegmentCount > 3, $"segments rolled ({log.SegmentCount})");
        }

        await using var reopened = new LogStore(_temp.Path, options);
        var all = await TestRecords.ReadAllAsync(reopened.GetOrOpen("s/0"));
        Assert.Equal(Appenders * AppendsEach * 2, all.Count);
        Assert.Equal(Enumerable.Range(0, all.Count).Select(i => (long)i), all.Select(r => r.Offset));
        foreach (var (offset, value) in acknowledged)
        {
            Assert.Equal(value, TestRecords.Text(all[(int)offset].Value));
            Assert.Equal(value + "!", TestRecords.Text(all[(int)offset + 1].Value));
        }
    }

    [Fact]
    public void An_unknown_sync_mode_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => (LogOptions.Default with { SyncMode = (SyncMode)42 }).Validate());
        Assert.Contains(nameof(SyncMode), error.Message, StringComparison.Ordinal);
    }
}
