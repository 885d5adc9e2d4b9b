using BenchmarkDotNet.Attributes;
using Sluice.Log;

namespace Sluice.Benchmarks;

/// <summary>
/// Appends of one batch, alone and from 16 concurrent callers (where group commit shares one fsync), under both
/// flush policies. Retention keeps the disk footprint bounded; it runs every 1024 operations, as a broker's
/// periodic retention would.
/// </summary>
[MemoryDiagnoser]
public class AppendBenchmarks
{
    private const int Concurrency = 16;
    private const int RetentionEveryOps = 1024;

    private string? _directory;
    private PartitionLog? _log;
    private LogRecord[] _records = [];
    private Task[] _concurrent = [];
    private int _ops;

    [Params(FlushPolicy.EveryAppend, FlushPolicy.Interval)]
    public FlushPolicy Policy { get; set; }

    [Params("100x1KiB", "500x100B")]
    public string Shape { get; set; } = "100x1KiB";

    /// <summary>Seal each batch with AES-256-GCM (encryption at rest) or write it in plain.</summary>
    [Params(false, true)]
    public bool Encrypted { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = BenchmarkDirectory.Create("append");
        var options = LogOptions.Default with
        {
            FlushPolicy = Policy,
            SegmentBytes = 64L * 1024 * 1024,
            RetentionBytes = 256L * 1024 * 1024,
        };
        _log = PartitionLog.Open(_directory, options);
        if (Encrypted)
        {
            var cipher = new BatchCipher(1, System.Security.Cryptography.RandomNumberGenerator.GetBytes(BatchCipher.KeySize));
            _log.Encryption = new LogEncryption([cipher], cipher);
        }
        var (count, size) = Shape == "100x1KiB" ? (100, 1024) : (500, 100);
        var random = new Random(42);
        _records = new LogRecord[count];
        for (var i = 0; i < count; i++)
        {
            var value = new byte[size];
            random.NextBytes(value);
            _records[i] = new LogRecord(BitConverter.GetBytes(i), value);
        }

        _concurrent = new Task[Concurrency];
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }

        BenchmarkDirectory.Delete(_directory);
    }

    [Benchmark(Description = "one appender")]
    public async Task<long> AppendOneBatch()
    {
        var result = await _log!.AppendAsync(_records, leaderEpoch: 1);
        await MaybeEnforceRetentionAsync();
        return result.BaseOffset;
    }

    [Benchmark(Description = "16 concurrent appenders", OperationsPerInvoke = Concurrency)]
    public async Task AppendConcurrently()
    {
        for (var i = 0; i < _concurrent.Length; i++)
        {
            _concurrent[i] = _log!.AppendAsync(_records, leaderEpoch: 1).AsTask();
        }

        await Task.WhenAll(_concurrent);
        await MaybeEnforceRetentionAsync();
    }

    private async ValueTask MaybeEnforceRetentionAsync()
    {
        if (++_ops % RetentionEveryOps == 0)
        {
            await _log!.EnforceRetentionAsync();
        }
    }
}
