using System.Text;

namespace Sluice.Log.Tests;

public sealed class FileSystemSyncTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

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
    public void An_unknown_sync_mode_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => (LogOptions.Default with { SyncMode = (SyncMode)42 }).Validate());
        Assert.Contains(nameof(SyncMode), error.Message, StringComparison.Ordinal);
    }
}
