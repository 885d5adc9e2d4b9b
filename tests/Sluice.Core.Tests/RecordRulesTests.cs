using Sluice.Core;

namespace Sluice.Core.Tests;

public sealed class RecordRulesTests
{
    [Theory]
    [InlineData("clicks", true)]
    [InlineData("a.b-c_D9", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("slash/name", false)]
    public void Stream_names_follow_kinesis_rules(string name, bool valid)
    {
        Assert.Equal(valid, RecordRules.ValidateStreamName(name) is null);
    }

    [Fact]
    public void Stream_names_longer_than_128_characters_are_refused()
    {
        Assert.Null(RecordRules.ValidateStreamName(new string('a', 128)));
        Assert.Contains("128", RecordRules.ValidateStreamName(new string('a', 129)));
    }

    [Fact]
    public void Partition_keys_are_counted_in_unicode_characters()
    {
        Assert.Null(RecordRules.ValidatePartitionKey(new string('k', 256)));
        Assert.Null(RecordRules.ValidatePartitionKey(string.Concat(Enumerable.Repeat("😀", 256))));
        Assert.Contains("256", RecordRules.ValidatePartitionKey(new string('k', 257)));
        Assert.NotNull(RecordRules.ValidatePartitionKey(""));
        Assert.NotNull(RecordRules.ValidatePartitionKey(null));
    }

    [Fact]
    public void Record_size_counts_data_and_partition_key_against_one_mebibyte()
    {
        Assert.Null(RecordRules.ValidateRecordSize(Limits.MaxRecordBytes - 3, 3));
        Assert.Contains("1 MiB", RecordRules.ValidateRecordSize(Limits.MaxRecordBytes - 2, 3));
    }

    [Fact]
    public void Shard_ids_round_trip()
    {
        Assert.Equal("shardId-000000000007", ShardId.Format(7));
        Assert.True(ShardId.TryParse("shardId-000000000007", out var index));
        Assert.Equal(7, index);
        Assert.True(ShardId.TryParse("12", out index));
        Assert.Equal(12, index);
        Assert.False(ShardId.TryParse("shardId-x", out _));
        Assert.False(ShardId.TryParse("shardId-0000000000001", out _));
    }
}
