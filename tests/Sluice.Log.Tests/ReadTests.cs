namespace Sluice.Log.Tests;

public sealed class ReadTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task One_read_spans_several_segments()
    {
        await using var log = await OpenWithRecordsAsync(batches: 50, perBatch: 2, valueBytes: 100, segmentBytes: 1024);
        Assert.True(log.SegmentCount >= 5);

        var result = await log.ReadAsync(3, maxRecords: 1000, maxBytes: 1 << 20);

        Assert.Equal(Enumerable.Range(3, 97).Select(i => (long)i), result.Records.Select(r => r.Offset));
        Assert.Equal(100, result.NextOffset);
        Assert.Equal(100, result.LogEndOffset);
        Assert.Equal(0, result.LogStartOffset);
        Assert.Equal(log.LastTimestampMs, result.LastTimestampMs);
        Assert.Equal(0, result.Lag);
        Assert.Equal("k3", TestRecords.Text(result.Records[0].Key));
        Assert.Equal(7, result.Records[0].LeaderEpoch);
    }

    [Fact]
    public async Task Read_stops_at_max_records_even_inside_a_batch()
    {
        await using var log = await OpenWithRecordsAsync(batches: 10, perBatch: 5, valueBytes: 10, segmentBytes: 1024);

        var result = await log.ReadAsync(2, maxRecords: 7, maxBytes: 1 << 20);

        Assert.Equal(Enumerable.Range(2, 7).Select(i => (long)i), result.Records.Select(r => r.Offset));
        Assert.Equal(9, result.NextOffset);
    }

    [Fact]
    public async Task Read_stops_before_max_bytes_counting_whole_records()
    {
        await using var log = await OpenWithRecordsAsync(batches: 20, perBatch: 3, valueBytes: 100, segmentBytes: 1024);
        const int RecordBytes = 6 + 2 + 100; // framing + "kN" + value

        var result = await log.ReadAsync(0, maxRecords: 1000, maxBytes: (RecordBytes * 10) + 50);

        Assert.Equal(10, result.Records.Count);
        Assert.Equal(10, result.NextOffset);
    }

    [Fact]
    public async Task A_record_larger_than_max_bytes_is_still_returned_alone()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        await log.AppendAsync([new LogRecord(default, new byte[5000]), new LogRecord(default, new byte[10])], 1);

        var result = await log.ReadAsync(0, maxRecords: 100, maxBytes: 100);

        var record = Assert.Single(result.Records);
        Assert.Equal(5000, record.Value.Length);
        Assert.Equal(1, result.NextOffset);
    }

    [Fact]
    public async Task Read_at_the_end_is_empty()
    {
        await using var log = await OpenWithRecordsAsync(batches: 2, perBatch: 2, valueBytes: 10, segmentBytes: 1024);

        var result = await log.ReadAsync(4, 10, 1000);

        Assert.Empty(result.Records);
        Assert.Equal(4, result.NextOffset);
    }

    [Fact]
    public async Task Read_of_an_empty_log_is_empty()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);

        var result = await log.ReadAsync(0, 10, 1000);

        Assert.Empty(result.Records);
        Assert.Equal(0, result.LastTimestampMs);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    [InlineData(long.MaxValue)]
    public async Task Offsets_outside_the_log_throw(long offset)
    {
        await using var log = await OpenWithRecordsAsync(batches: 2, perBatch: 2, valueBytes: 10, segmentBytes: 1024);

        var error = await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await log.ReadAsync(offset, 10, 1000));

        Assert.Equal((offset, 0L, 4L), (error.RequestedOffset, error.LogStartOffset, error.LogEndOffset));
    }

    [Fact]
    public async Task Every_offset_is_found_through_a_dense_index()
    {
        var options = LogOptions.Default with { SegmentBytes = 8 * 1024, IndexIntervalBytes = 64 };
        await using var log = PartitionLog.Open(_temp.Path, options);
        for (var i = 0; i < 100; i++)
        {
            await log.AppendAsync(TestRecords.Make(1 + (i % 4), 30, $"b{i}-"), 1);
        }

        for (var offset = 0L; offset < log.LogEndOffset; offset++)
        {
            var result = await log.ReadAsync(offset, 1, 1);
            Assert.Equal(offset, Assert.Single(result.Records).Offset);
        }
    }

    [Fact]
    public async Task Records_of_one_read_share_one_buffer()
    {
        await using var log = await OpenWithRecordsAsync(batches: 10, perBatch: 3, valueBytes: 20, segmentBytes: 1024);

        var result = await log.ReadAsync(0, 100, 1 << 20);

        var arrays = result.Records
            .Select(r => System.Runtime.InteropServices.MemoryMarshal.TryGetArray(r.Value, out var segment) ? segment.Array : null)
            .Distinct()
            .ToList();
        Assert.NotNull(Assert.Single(arrays));
    }

    private async Task<PartitionLog> OpenWithRecordsAsync(int batches, int perBatch, int valueBytes, long segmentBytes)
    {
        var log = PartitionLog.Open(_temp.Path, LogOptions.Default with { SegmentBytes = segmentBytes, IndexIntervalBytes = 256 });
        var offset = 0;
        for (var i = 0; i < batches; i++)
        {
            var records = Enumerable.Range(offset, perBatch)
                .Select(n => new LogRecord(System.Text.Encoding.UTF8.GetBytes($"k{n}"), new byte[valueBytes]))
                .ToArray();
            await log.AppendAsync(records, leaderEpoch: 7);
            offset += perBatch;
        }

        return log;
    }
}
