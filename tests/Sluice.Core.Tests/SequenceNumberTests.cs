using Sluice.Core;

namespace Sluice.Core.Tests;

public sealed class SequenceNumberTests
{
    [Theory]
    [InlineData(0, 0L)]
    [InlineData(15, 123_456_789L)]
    [InlineData(int.MaxValue, long.MaxValue)]
    public void Sequence_numbers_round_trip_shard_and_offset(int shard, long offset)
    {
        var text = SequenceNumber.Encode(shard, offset);
        Assert.True(SequenceNumber.TryDecode(text, out var decodedShard, out var decodedOffset));
        Assert.Equal(shard, decodedShard);
        Assert.Equal(offset, decodedOffset);
        Assert.Equal(37, text.Length);
    }

    [Fact]
    public void Sequence_numbers_strictly_increase_within_a_shard_as_strings_and_numbers()
    {
        var previous = SequenceNumber.Encode(3, 0);
        foreach (var offset in new long[] { 1, 2, 9, 10, 99, 100, 65_535, 1L << 40 })
        {
            var next = SequenceNumber.Encode(3, offset);
            Assert.True(string.CompareOrdinal(previous, next) < 0, $"{previous} !< {next}");
            Assert.True(UInt128.Parse(previous) < UInt128.Parse(next));
            previous = next;
        }
    }

    [Fact]
    public void Sequence_numbers_are_unique_across_shards()
    {
        Assert.NotEqual(SequenceNumber.Encode(0, 5), SequenceNumber.Encode(1, 5));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("49590338271490256608559692538361571095921575989136588898")]
    [InlineData("2658455991569831745807614120560689152")] // version byte 2
    [InlineData("132922799578491587290380706028034375680")] // too long
    public void Malformed_sequence_numbers_are_refused(string? text)
    {
        Assert.False(SequenceNumber.TryDecode(text, out _, out _));
    }

    [Fact]
    public void Reserved_bits_must_be_zero()
    {
        var value = (UInt128.One << 120) | (UInt128.One << 100);
        Assert.False(SequenceNumber.TryDecode(value.ToString(), out _, out _));
    }
}
