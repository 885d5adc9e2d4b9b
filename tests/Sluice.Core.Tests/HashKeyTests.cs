using System.Globalization;
using System.Numerics;
using Sluice.Core;

namespace Sluice.Core.Tests;

public sealed class HashKeyTests
{
    [Fact]
    public void Partition_key_hash_is_md5_read_big_endian()
    {
        // MD5("a") = 0cc175b9c0f1b6a831c399e269772661
        var expected = BigInteger.Parse("00cc175b9c0f1b6a831c399e269772661", NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.Equal(expected.ToString(CultureInfo.InvariantCulture), HashKey.Format(HashKey.FromPartitionKey("a")));
    }

    [Fact]
    public void Long_partition_keys_hash_the_same_as_short_path_would()
    {
        var key = new string('é', 256); // 512 UTF-8 bytes: still on the stack path
        var longKey = new string('é', 700); // over the stackalloc threshold: pooled path
        Assert.NotEqual(HashKey.FromPartitionKey(key), HashKey.FromPartitionKey(longKey));
        Assert.Equal(HashKey.FromPartitionKey(longKey), HashKey.FromPartitionKey(new string('é', 700)));
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("340282366920938463463374607431768211455", true)]
    [InlineData("340282366920938463463374607431768211456", false)]
    [InlineData("-1", false)]
    [InlineData("12a", false)]
    [InlineData("", false)]
    [InlineData(" 1", false)]
    public void Explicit_hash_keys_must_be_decimal_128_bit_integers(string text, bool valid)
    {
        Assert.Equal(valid, HashKey.TryParse(text, out _));
    }

    [Fact]
    public void Split_matches_kinesis_ranges_for_four_shards()
    {
        var ranges = HashKeyRange.Split(4);
        Assert.Equal(UInt128.Zero, ranges[0].Start);
        Assert.Equal("85070591730234615865843651857942052863", HashKey.Format(ranges[0].End));
        Assert.Equal("85070591730234615865843651857942052864", HashKey.Format(ranges[1].Start));
        Assert.Equal(UInt128.MaxValue, ranges[3].End);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(1000)]
    public void Split_ranges_are_contiguous_and_cover_the_whole_space(int count)
    {
        var ranges = HashKeyRange.Split(count);
        Assert.Equal(count, ranges.Length);
        Assert.Equal(UInt128.Zero, ranges[0].Start);
        Assert.Equal(UInt128.MaxValue, ranges[^1].End);
        for (var i = 1; i < ranges.Length; i++)
        {
            Assert.Equal(ranges[i - 1].End + 1, ranges[i].Start);
            Assert.True(ranges[i].End >= ranges[i].Start);
        }
    }

    [Fact]
    public void Split_refuses_zero_shards()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HashKeyRange.Split(0));
    }
}
