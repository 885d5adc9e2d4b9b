using Sluice.Core;
using Sluice.Gateway.Kinesis.Consumers;

namespace Sluice.Gateway.Tests.Kinesis.Consumers;

public sealed class ContinuationSequenceNumberTests
{
    [Fact]
    public void After_records_it_is_the_last_record_before_the_position()
    {
        Assert.Equal(SequenceNumber.Encode(3, 41), ContinuationSequenceNumber.Of(3, 42));
        Assert.False(ContinuationSequenceNumber.TryDecodeShardStart(ContinuationSequenceNumber.Of(3, 42), out _));
    }

    [Fact]
    public void A_shard_that_never_held_a_record_gets_a_shard_start_number_below_every_sequence_number()
    {
        var start = ContinuationSequenceNumber.Of(7, 0);

        Assert.Equal(37, start.Length);
        Assert.True(string.CompareOrdinal(start, SequenceNumber.Encode(0, 0)) < 0);
        Assert.False(SequenceNumber.TryDecode(start, out _, out _));
        Assert.True(ContinuationSequenceNumber.TryDecodeShardStart(start, out var shard));
        Assert.Equal(7, shard);
    }

    [Fact]
    public void Other_numbers_are_not_shard_start_numbers()
    {
        foreach (var text in new[] { null, "", "0", "999999999999999999999999999999999999", SequenceNumber.Encode(0, 0), "10000000000000000000000000000000000000" })
        {
            Assert.False(ContinuationSequenceNumber.TryDecodeShardStart(text, out _));
        }
    }
}
