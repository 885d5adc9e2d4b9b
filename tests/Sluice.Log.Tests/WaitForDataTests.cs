namespace Sluice.Log.Tests;

public sealed class WaitForDataTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Wakes_as_soon_as_an_append_passes_the_offset()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        var wait = log.WaitForDataAsync(0, Bound);
        Assert.False(wait.IsCompleted);

        await log.AppendAsync(TestRecords.Make(1), 1);

        Assert.True(await wait.WaitAsync(Bound));
    }

    [Fact]
    public async Task Keeps_waiting_while_appends_stay_below_the_offset()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        var wait = log.WaitForDataAsync(2, Bound);

        await log.AppendAsync(TestRecords.Make(2), 1);
        Assert.False(wait.IsCompleted);
        await log.AppendAsync(TestRecords.Make(1), 1);

        Assert.True(await wait.WaitAsync(Bound));
    }

    [Fact]
    public async Task Returns_at_once_when_data_is_already_there()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        await log.AppendAsync(TestRecords.Make(1), 1);

        var wait = log.WaitForDataAsync(0, TimeSpan.Zero);

        Assert.True(wait.IsCompletedSuccessfully);
        Assert.True(await wait);
    }

    [Fact]
    public async Task Times_out_with_false_when_nothing_arrives()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);

        Assert.False(await log.WaitForDataAsync(0, TimeSpan.FromMilliseconds(50)).WaitAsync(Bound));
    }

    [Fact]
    public async Task Cancellation_ends_the_wait()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        using var cancel = new CancellationTokenSource();
        var wait = log.WaitForDataAsync(0, Bound, cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Bound));
    }

    [Fact]
    public async Task Closing_the_log_ends_the_wait_with_false()
    {
        var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        var wait = log.WaitForDataAsync(0, Bound);

        await log.DisposeAsync();

        Assert.False(await wait.WaitAsync(Bound));
    }
}
