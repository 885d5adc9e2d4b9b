using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Streams;

/// <summary>Resharding over REST: the same service and errors as the Kinesis API, problem+json answers.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ReshardRestTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Split_merge_and_scale_over_REST_and_a_reader_at_the_parent_end_gets_child_shards()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var http = cluster.CreateHttpClient(tenant.Token);
        using var created = await http.PostAsJsonAsync("/v1/streams", new { name = "orders", shardCount = 1 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var put = await http.PostAsJsonAsync("/v1/streams/orders/records", new { records = new[] { new { partitionKey = "a", data = "aGVsbG8=" } } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        using var split = await http.PostAsJsonAsync("/v1/streams/orders/shards:split", new { shardId = "shardId-000000000000", newStartingHashKey = "1000" });
        Assert.Equal(HttpStatusCode.OK, split.StatusCode);
        var shards = (await split.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("shards");
        Assert.Equal("CLOSED", shards[0].GetProperty("state").GetString());
        Assert.True(shards[0].TryGetProperty("endingSequenceNumber", out _));
        Assert.Equal("999", shards[1].GetProperty("endingHashKey").GetString());
        Assert.Equal("shardId-000000000000", shards[2].GetProperty("parentShardId").GetString());
        Assert.False(shards[2].TryGetProperty("endingSequenceNumber", out _));

        var read = await http.GetFromJsonAsync<JsonElement>("/v1/streams/orders/shards/shardId-000000000000/records?from=oldest");
        Assert.Equal("aGVsbG8=", Assert.Single(read.GetProperty("records").EnumerateArray()).GetProperty("data").GetString());
        var children = read.GetProperty("childShards").EnumerateArray().ToList();
        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], children.Select(c => c.GetProperty("shardId").GetString()));
        Assert.Equal(["shardId-000000000000"], children[0].GetProperty("parentShards").EnumerateArray().Select(p => p.GetString()));
        var open = await http.GetFromJsonAsync<JsonElement>("/v1/streams/orders/shards/shardId-000000000001/records?from=oldest");
        Assert.False(open.TryGetProperty("childShards", out _));

        await Problem.AssertAsync(await http.PostAsJsonAsync("/v1/streams/orders/shards:split", new { shardId = "shardId-000000000000", newStartingHashKey = "5" }),
            HttpStatusCode.BadRequest, "has already been merged or split");
        await Problem.AssertAsync(await http.PostAsJsonAsync("/v1/streams/orders/shards:merge", new { shardId = "shardId-000000000001", adjacentShardId = "shardId-000000000009" }),
            HttpStatusCode.NotFound, "Could not find shard shardId-000000000009");

        using var merge = await http.PostAsJsonAsync("/v1/streams/orders/shards:merge", new { shardId = "shardId-000000000001", adjacentShardId = "shardId-000000000002" });
        Assert.Equal(HttpStatusCode.OK, merge.StatusCode);
        using var scale = await http.PostAsJsonAsync("/v1/streams/orders/shards:scale", new { targetShardCount = 2 });
        Assert.Equal(HttpStatusCode.OK, scale.StatusCode);
        var counts = await scale.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, counts.GetProperty("currentShardCount").GetInt32());
        Assert.Equal(2, counts.GetProperty("stream").GetProperty("shardCount").GetInt32());
        await Problem.AssertAsync(await http.PostAsJsonAsync("/v1/streams/orders/shards:scale", new { targetShardCount = 5 }), HttpStatusCode.BadRequest, "more than double");
    }
}
