using Grpc.Core;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Streams;

[Collection(ClusterCollection.Name)]
public sealed class StreamsGrpcTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Streams_are_created_listed_described_and_deleted_over_grpc()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        var created = await client.CreateStreamAsync("orders", 2, 0);
        Assert.Equal(24, created.RetentionHours);
        Assert.Equal("ACTIVE", created.Status);

        var names = new List<string>();
        await foreach (var summary in client.ListStreamsAsync())
        {
            names.Add(summary.Name);
        }

        Assert.Equal(["orders"], names);
        Assert.Equal(2, (await client.DescribeStreamAsync("orders")).Shards.Count);
        await client.DeleteStreamAsync("orders");
        var missing = await Assert.ThrowsAsync<RpcException>(() => client.DescribeStreamAsync("orders"));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Bad_requests_get_precise_grpc_statuses()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        await client.CreateStreamAsync("taken", 1, 0);

        var duplicate = await Assert.ThrowsAsync<RpcException>(() => client.CreateStreamAsync("taken", 1, 0));
        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode);
        var tooMany = await Assert.ThrowsAsync<RpcException>(() => client.CreateStreamAsync("big", 1000, 0));
        Assert.Equal(StatusCode.InvalidArgument, tooMany.StatusCode);
        Assert.Contains("between 1 and 64", tooMany.Status.Detail, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => client.PutRecordsAsync("nope", [Records.EndToEndTests.Entry("k", "v")]));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var badRetention = await Assert.ThrowsAsync<RpcException>(() => client.CreateStreamAsync("r", 1, 100_000));
        Assert.Equal(StatusCode.InvalidArgument, badRetention.StatusCode);
    }
}
