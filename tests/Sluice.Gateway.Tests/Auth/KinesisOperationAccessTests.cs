using Sluice.Gateway.Auth;
using Sluice.Gateway.Kinesis;

namespace Sluice.Gateway.Tests.Auth;

public sealed class KinesisOperationAccessTests
{
    [Theory]
    [InlineData("PutRecord", StreamAccessKind.Produce)]
    [InlineData("PutRecords", StreamAccessKind.Produce)]
    [InlineData("GetShardIterator", StreamAccessKind.Consume)]
    [InlineData("GetRecords", StreamAccessKind.Consume)]
    [InlineData("SubscribeToShard", StreamAccessKind.Consume)]
    [InlineData("RegisterStreamConsumer", StreamAccessKind.Consume)]
    [InlineData("DeregisterStreamConsumer", StreamAccessKind.Consume)]
    [InlineData("CreateStream", StreamAccessKind.Manage)]
    [InlineData("DeleteStream", StreamAccessKind.Manage)]
    [InlineData("SplitShard", StreamAccessKind.Manage)]
    [InlineData("MergeShards", StreamAccessKind.Manage)]
    [InlineData("UpdateShardCount", StreamAccessKind.Manage)]
    [InlineData("AddTagsToStream", StreamAccessKind.Manage)]
    [InlineData("RemoveTagsFromStream", StreamAccessKind.Manage)]
    [InlineData("IncreaseStreamRetentionPeriod", StreamAccessKind.Manage)]
    [InlineData("DecreaseStreamRetentionPeriod", StreamAccessKind.Manage)]
    [InlineData("StartStreamEncryption", StreamAccessKind.Manage)]
    [InlineData("StopStreamEncryption", StreamAccessKind.Manage)]
    [InlineData("DescribeStream", StreamAccessKind.Any)]
    [InlineData("DescribeStreamSummary", StreamAccessKind.Any)]
    [InlineData("ListShards", StreamAccessKind.Any)]
    [InlineData("ListStreamConsumers", StreamAccessKind.Any)]
    [InlineData("DescribeStreamConsumer", StreamAccessKind.Any)]
    [InlineData("ListTagsForStream", StreamAccessKind.Any)]
    [InlineData("SomeFutureOperation", StreamAccessKind.Any)]
    public void Each_operation_needs_its_permission(string operation, StreamAccessKind access) =>
        Assert.Equal(access, KinesisEndpoint.AccessOf(operation));

    [Theory]
    [InlineData("ListStreams")]
    [InlineData("DescribeLimits")]
    public void Operations_on_no_stream_need_none(string operation) =>
        Assert.Null(KinesisEndpoint.AccessOf(operation));
}
