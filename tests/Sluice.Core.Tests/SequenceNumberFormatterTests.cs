using Sluice.Core;

namespace Sluice.Core.Tests;

public sealed class SequenceNumberFormatterTests
{
    [Theory]
    [InlineData(0, 0L)]
    [InlineData(7, 9L)]
    [InlineData(15, 99_999L)]
    [InlineData(3, 232_830_643L)] // offset × 2^32 crosses 10^18 here: long carry chains
    [InlineData(int.MaxValue, 1_000_000_000_000L)]
    [InlineData(1, long.MaxValue - 40)]
    public void Consecutive_offsets_match_the_encoder(int shard, long first)
    {
        var formatter = new SequenceNumberFormatter(shard);
        for (var offset = first; offset < first + 40 && offset >= 0; offset++)
        {
            Assert.Equal(SequenceNumber.Encode(shard, offset), formatter.Format(offset));
        }
    }

    [Fact]
    public void Jumps_repeats_and_steps_back_match_the_encoder()
    {
        var formatter = new SequenceNumberFormatter(5);
        var random = new Random(20261125);
        var offset = 0L;
        for (var i = 0; i < 20_000; i++)
        {
            offset = random.Next(4) switch
            {
                0 => offset + 1,
                1 => offset,
                2 => Math.Max(0, offset - random.Next(1, 5)),
                _ => random.NextInt64(0, long.MaxValue),
            };
            Assert.Equal(SequenceNumber.Encode(5, offset), formatter.Format(offset));
        }
    }

    [Fact]
    public void Formatted_numbers_decode_to_their_shard_and_offset()
    {
        var formatter = new SequenceNumberFormatter(12);
        for (var offset = 999_990L; offset < 1_000_010; offset++)
        {
            Assert.True(SequenceNumber.TryDecode(formatter.Format(offset), out var shard, out var decoded));
            Assert.Equal(12, shard);
            Assert.Equal(offset, decoded);
        }
    }

    [Fact]
    public void Negative_input_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceNumberFormatter(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceNumberFormatter(0).Format(-1));
    }
}
