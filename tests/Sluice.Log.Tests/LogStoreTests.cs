namespace Sluice.Log.Tests;

public sealed class LogStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task GetOrOpen_opens_a_log_once_per_name_even_when_raced()
    {
        await using var store = new LogStore(_temp.Path, LogOptions.Default);

        var logs = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.GetOrOpen("42/7"))));

        Assert.All(logs, l => Assert.Same(logs[0], l));
        Assert.True(store.TryGet("42/7", out var found));
        Assert.Same(logs[0], found);
        Assert.False(store.TryGet("42/8", out _));
        Assert.Equal(Path.Combine(_temp.Path, "42", "7"), logs[0].Directory);
    }

    [Fact]
    public async Task ListOnDisk_names_every_log_directory_open_or_not()
    {
        await using (var store = new LogStore(_temp.Path, LogOptions.Default))
        {
            await store.GetOrOpen("1/0").AppendAsync(TestRecords.Make(1), 1);
            store.GetOrOpen("1/1");
            store.GetOrOpen("2/0");
        }

        Directory.CreateDirectory(Path.Combine(_temp.Path, "not-a-log"));
        await using var reopened = new LogStore(_temp.Path, LogOptions.Default);

        Assert.Equal(["1/0", "1/1", "2/0"], reopened.ListOnDisk());
        Assert.Equal(1, reopened.GetOrOpen("1/0").LogEndOffset);
    }

    [Fact]
    public async Task DeleteAsync_closes_the_log_and_removes_its_directory()
    {
        await using var store = new LogStore(_temp.Path, LogOptions.Default);
        var log = store.GetOrOpen("9/3");
        await log.AppendAsync(TestRecords.Make(3), 1);
        store.GetOrOpen("9/4");

        await store.DeleteAsync("9/3");

        Assert.False(store.TryGet("9/3", out _));
        Assert.False(Directory.Exists(Path.Combine(_temp.Path, "9", "3")));
        Assert.Equal(["9/4"], store.ListOnDisk());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await log.AppendAsync(TestRecords.Make(1), 1));
        Assert.Equal(0, store.GetOrOpen("9/3").LogEndOffset); // a new, empty log
    }

    [Fact]
    public async Task Deleting_the_last_log_under_a_parent_removes_the_parent_too()
    {
        await using var store = new LogStore(_temp.Path, LogOptions.Default);
        store.GetOrOpen("5/0");

        await store.DeleteAsync("5/0");

        Assert.False(Directory.Exists(Path.Combine(_temp.Path, "5")));
        Assert.True(Directory.Exists(_temp.Path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData("/absolute")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    [InlineData("a/./b")]
    public async Task Names_that_are_not_plain_relative_paths_are_rejected(string name)
    {
        await using var store = new LogStore(_temp.Path, LogOptions.Default);

        Assert.ThrowsAny<ArgumentException>(() => store.GetOrOpen(name));
    }

    [Fact]
    public async Task EnforceRetentionAsync_covers_every_open_log()
    {
        var time = new ManualTimeProvider();
        var options = LogOptions.Default with { SegmentBytes = 1024, RetentionTime = TimeSpan.FromMinutes(1) };
        await using var store = new LogStore(_temp.Path, options, timeProvider: time);
        foreach (var name in new[] { "1/0", "1/1" })
        {
            var log = store.GetOrOpen(name);
            for (var i = 0; i < 10; i++)
            {
                await log.AppendAsync(TestRecords.Make(2, 80), 1);
            }
        }

        time.Advance(TimeSpan.FromMinutes(2));
        var deleted = await store.EnforceRetentionAsync();

        Assert.True(deleted >= 4);
        Assert.Equal(20, store.GetOrOpen("1/0").LogStartOffset);
        Assert.Equal(20, store.GetOrOpen("1/1").LogStartOffset);
    }
}
