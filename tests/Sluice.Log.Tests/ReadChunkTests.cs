using System.Text;

namespace Sluice.Log.Tests;

public sealed class ReadChunkTests
{
    [Fact]
    public void Records_round_trip_through_a_read_chunk()
    {
        StoredRecord[] records =
        [
            new(10, 1_700_000_000_000, 1, Encoding.UTF8.GetBytes("key-a"), Encoding.UTF8.GetBytes("first")),
            new(11, 1_700_000_000_005, 1, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty),
            new(12, 1_700_000_000_009, 2, Encoding.UTF8.GetBytes("k"), new byte[70_000]),
        ];
        var chunk = new byte[ReadChunk.Measure(records)];
        ReadChunk.Write(chunk, records);

        var position = 0;
        foreach (var expected in records)
        {
            Assert.True(ReadChunk.TryRead(chunk, ref position, out var timestamp, out var key, out var value));
            Assert.Equal(expected.TimestampMs, timestamp);
            Assert.True(expected.Key.Span.SequenceEqual(key.Span));
            Assert.True(expected.Value.Span.SequenceEqual(value.Span));
        }

        Assert.Equal(chunk.Length, position);
        Assert.False(ReadChunk.TryRead(chunk, ref position, out _, out _, out _));
    }

    [Fact]
    public void A_cut_short_chunk_is_not_read_past_its_end()
    {
        StoredRecord[] records = [new(0, 5, 1, Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("value"))];
        var chunk = new byte[ReadChunk.Measure(records)];
        ReadChunk.Write(chunk, records);

        var position = 0;
        Assert.False(ReadChunk.TryRead(chunk.AsMemory(0, chunk.Length - 1), ref position, out _, out _, out _));
        Assert.Equal(0, position);
        Assert.False(ReadChunk.TryRead(chunk.AsMemory(0, ReadChunk.HeaderSize - 1), ref position, out _, out _, out _));
    }
}
