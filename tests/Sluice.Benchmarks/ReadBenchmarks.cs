using BenchmarkDotNet.Attributes;
using Sluice.Log;

namespace Sluice.Benchmarks;

/// <summary>Reads of 1000 records from a warm (page-cached) log of 100,000, at rotating positions.</summary>
[MemoryDiagnoser]
public class ReadBenchmarks
{
    private const int RecordsPerRead = 1000;
    private const int RecordsInLog = 100_000;
    private const int RecordsPerAppend = 100;

    private string? _directory;
    private PartitionLog? _log;
    private long _next;

    [Params(100, 1024)]
    public int ValueBytes { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = BenchmarkDirectory.Create("read");
        _log = PartitionLog.Open(_directory, LogOptions.Default with { FlushPolicy = FlushPolicy.Interval });
        var records = new LogRecord[RecordsPerAppend];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = new LogRecord(BitConverter.GetBytes(i), new byte[ValueBytes]);
        }

        for (var i = 0; i < RecordsInLog / RecordsPerAppend; i++)
        {
            await _log.AppendAsync(records, leaderEpoch: 1);
        }
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

    [Benchmark(Description = "read 1000 records")]
    public async Task<int> Read1000()
    {
        // Odd start offsets land mid-batch, so the index lookup and header scan are part of what is measured.
        var result = await _log!.ReadAsync(_next, RecordsPerRead, int.MaxValue);
        _next = (_next + 7_777) % (RecordsInLog - RecordsPerRead);
        return result.Records.Count;
    }
}
