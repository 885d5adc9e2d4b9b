using System.Text;
using Sluice.Log.Internal;

namespace Sluice.Log.Tests.Internal;

public sealed class BatchFormatTests
{
    [Fact]
    public void Crc32C_matches_the_standard_check_value()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    [Fact]
    public void Crc32C_computed_in_pieces_equals_one_pass()
    {
        var data = new byte[1000];
        new Random(7).NextBytes(data);
        var running = Crc32C.Append(Crc32C.Seed, data.AsSpan(0, 13));
        running = Crc32C.Append(running, data.AsSpan(13, 500));
        running = Crc32C.Append(running, data.AsSpan(513));
        Assert.Equal(Crc32C.Compute(data), Crc32C.Finish(running));
    }

    [Fact]
    public void Batch_header_round_trips_every_field()
    {
        var header = new BatchHeader(
            BaseOffset: 123_456_789_012, BatchLength: 4096, LeaderEpoch: 7, Crc: 0xDEADBEEF, Attributes: 3, RecordCount: 42,
            FirstTimestamp: 1_700_000_000_000, MaxTimestamp: 1_700_000_000_555, ProducerId: 99, ProducerEpoch: 5, BaseSequence: 1000);
        var bytes = new byte[BatchHeader.Size];
        header.Write(bytes);

        Assert.Equal(header, BatchHeader.Read(bytes));
        Assert.Equal(BatchHeader.CurrentMagic, bytes[12]);
    }

    [Fact]
    public void Encoded_batch_decodes_to_the_same_records()
    {
        LogRecord[] records = [TestRecords.One("a", "first"), new LogRecord(ReadOnlyMemory<byte>.Empty, "x"u8.ToArray()), TestRecords.One("key", "")];
        var length = BatchEncoder.Measure(records, LogOptions.Default);
        var batch = new byte[length];

        Assert.True(BatchEncoder.TryEncode(batch, 10, 3, 1234, records));
        var header = BatchHeader.Read(batch);
        Assert.Null(header.Validate(expectedBaseOffset: 10, bytesAvailable: length));
        Assert.Equal((10L, 3, 3, 1234L, 1234L), (header.BaseOffset, header.RecordCount, header.LeaderEpoch, header.FirstTimestamp, header.MaxTimestamp));
        Assert.True(BatchHeader.HasValidCrc(batch));

        var position = BatchHeader.Size;
        foreach (var record in records)
        {
            Assert.True(RecordHeader.TryRead(batch.AsSpan(position), out var framing));
            var key = batch.AsSpan(position + RecordHeader.Size, framing.KeyLength);
            var value = batch.AsSpan(position + RecordHeader.Size + framing.KeyLength, framing.ValueLength);
            Assert.Equal(record.Key.ToArray(), key.ToArray());
            Assert.Equal(record.Value.ToArray(), value.ToArray());
            position += framing.EncodedLength;
        }

        Assert.Equal(length, position);
    }

    [Theory]
    [InlineData(24)]   // attributes
    [InlineData(28)]   // record count
    [InlineData(40)]   // max timestamp
    [InlineData(70)]   // inside the record body
    public void A_flipped_byte_in_the_covered_range_fails_the_crc(int position)
    {
        var records = new[] { TestRecords.One("key", "value-value") };
        var batch = new byte[BatchEncoder.Measure(records, LogOptions.Default)];
        Assert.True(BatchEncoder.TryEncode(batch, 0, 1, 1, records));

        batch[position] ^= 0x01;

        Assert.False(BatchHeader.HasValidCrc(batch));
    }

    [Fact]
    public void Leader_epoch_is_outside_the_crc_so_it_can_be_restamped()
    {
        var records = new[] { TestRecords.One("key", "value") };
        var batch = new byte[BatchEncoder.Measure(records, LogOptions.Default)];
        Assert.True(BatchEncoder.TryEncode(batch, 0, 1, 1, records));

        batch[16] = 9;

        Assert.True(BatchHeader.HasValidCrc(batch));
    }

    [Fact]
    public void Header_validation_rejects_wrong_offset_length_and_magic()
    {
        var records = new[] { TestRecords.One("key", "value") };
        var batch = new byte[BatchEncoder.Measure(records, LogOptions.Default)];
        Assert.True(BatchEncoder.TryEncode(batch, 5, 1, 1, records));
        var header = BatchHeader.Read(batch);

        Assert.NotNull(header.Validate(expectedBaseOffset: 6, bytesAvailable: batch.Length));
        Assert.NotNull(header.Validate(expectedBaseOffset: 5, bytesAvailable: batch.Length - 1));
        Assert.NotNull((header with { Magic = 2 }).Validate(5, batch.Length));
        Assert.NotNull((header with { RecordCount = 1000 }).Validate(5, batch.Length));
    }

    [Fact]
    public void Record_framing_that_overruns_its_buffer_is_rejected()
    {
        var bytes = new byte[RecordHeader.Size + 3];
        RecordHeader.Write(bytes, "ab"u8, "c"u8);
        Assert.True(RecordHeader.TryRead(bytes, out var framing));
        Assert.Equal((2, 1), (framing.KeyLength, framing.ValueLength));

        Assert.False(RecordHeader.TryRead(bytes.AsSpan(0, bytes.Length - 1), out _));
        Assert.False(RecordHeader.TryRead(bytes.AsSpan(0, 3), out _));
    }

    [Fact]
    public void Offset_index_file_round_trips_and_rejects_a_foreign_or_damaged_file()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "x.index");
        var index = new OffsetIndex();
        index.Append(10, 4096);
        index.Append(20, 8192);
        index.WriteTo(path, segmentBaseOffset: 100);

        var loaded = OffsetIndex.TryLoad(path, 100, segmentRecordCount: 30, segmentBytes: 10_000, out var problem);
        Assert.Null(problem);
        Assert.Equal(new OffsetIndexEntry(10, 4096), loaded!.FindFloor(15));
        Assert.Equal(new OffsetIndexEntry(20, 8192), loaded.FindFloor(25));
        Assert.Equal(default, loaded.FindFloor(5));

        Assert.Null(OffsetIndex.TryLoad(path, 200, 30, 10_000, out _));   // another segment's index
        Assert.Null(OffsetIndex.TryLoad(path, 100, 15, 10_000, out _));   // points past the segment
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - 3).ToArray());
        Assert.Null(OffsetIndex.TryLoad(path, 100, 30, 10_000, out _));   // torn
    }

    [Fact]
    public void Time_index_finds_the_last_entry_older_than_the_target()
    {
        var index = new TimeIndex();
        index.MaybeAppend(100, 0);
        index.MaybeAppend(100, 5); // not newer: ignored
        index.MaybeAppend(200, 10);
        index.MaybeAppend(300, 20);

        Assert.Equal(3, index.Count);
        Assert.Equal(0, index.FindScanStart(50));
        Assert.Equal(0, index.FindScanStart(150));
        Assert.Equal(10, index.FindScanStart(300));
        Assert.Equal(20, index.FindScanStart(301));
    }

    [Fact]
    public void Key_longer_than_u16_is_rejected()
    {
        var records = new[] { new LogRecord(new byte[RecordHeader.MaxKeyLength + 1], Encoding.UTF8.GetBytes("v")) };
        Assert.Throws<ArgumentException>(() => BatchEncoder.Measure(records, LogOptions.Default));
    }
}
