using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Streams;

[Collection(ClusterCollection.Name)]
public sealed class StreamsRestTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Create_describe_list_and_delete_a_stream()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var http = cluster.CreateHttpClient(tenant.Token);

        using var created = await http.PostAsJsonAsync("/v1/streams", new { name = "clicks", shardCount = 4, retentionHours = 48 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/v1/streams/clicks", created.Headers.Location?.OriginalString);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ACTIVE", body.GetProperty("status").GetString());
        Assert.Equal(48, body.GetProperty("retentionHours").GetInt32());
        var shards = body.GetProperty("shards").EnumerateArray().ToList();
        Assert.Equal(4, shards.Count);
        Assert.Equal("shardId-000000000000", shards[0].GetProperty("shardId").GetString());
        Assert.Equal("0", shards[0].GetProperty("startingHashKey").GetString());
        Assert.Equal("340282366920938463463374607431768211455", shards[3].GetProperty("endingHashKey").GetString());
        Assert.All(shards, s => Assert.StartsWith("node-", s.GetProperty("leaderNode").GetString()));

        var described = await http.GetFromJsonAsync<JsonElement>("/v1/streams/clicks");
        Assert.Equal(4, described.GetProperty("shardCount").GetInt32());

        var list = await http.GetFromJsonAsync<JsonElement>("/v1/streams");
        Assert.Equal(["clicks"], list.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.False(list.GetProperty("hasMore").GetBoolean());

        using var deleted = await http.DeleteAsync("/v1/streams/clicks");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Problem.AssertAsync(await http.GetAsync("/v1/streams/clicks"), HttpStatusCode.NotFound, "Stream clicks under account");
        await Problem.AssertAsync(await http.DeleteAsync("/v1/streams/clicks"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Listing_pages_in_name_order()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var http = cluster.CreateHttpClient(tenant.Token);
        foreach (var name in new[] { "c", "a", "b" })
        {
            (await http.PostAsJsonAsync("/v1/streams", new { name, shardCount = 1 })).EnsureSuccessStatusCode();
        }

        var first = await http.GetFromJsonAsync<JsonElement>("/v1/streams?limit=2");
        Assert.Equal(["a", "b"], first.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.True(first.GetProperty("hasMore").GetBoolean());
        var second = await http.GetFromJsonAsync<JsonElement>("/v1/streams?limit=2&exclusiveStartName=b");
        Assert.Equal(["c"], second.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.False(second.GetProperty("hasMore").GetBoolean());
        await Problem.AssertAsync(await http.GetAsync("/v1/streams?limit=0"), HttpStatusCode.BadRequest, "Limit 0");
    }

    [Fact]
    public async Task A_duplicate_name_is_a_conflict_and_the_name_is_free_again_after_delete()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var http = cluster.CreateHttpClient(tenant.Token);
        (await http.PostAsJsonAsync("/v1/streams", new { name = "dup", shardCount = 1 })).EnsureSuccessStatusCode();
        await Problem.AssertAsync(await http.PostAsJsonAsync("/v1/streams", new { name = "dup", shardCount = 2 }), HttpStatusCode.Conflict, "already exists");
        (await http.DeleteAsync("/v1/streams/dup")).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/v1/streams", new { name = "dup", shardCount = 1 })).EnsureSuccessStatusCode();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65)]
    public async Task A_shard_count_outside_the_allowed_range_is_refused(int shardCount)
    {
        var tenant = await cluster.CreateTenantAsync();
        using var http = cluster.CreateHttpClient(tenant.Token);
        await Problem.AssertAsync(await http.PostAsJsonAsync("/v1/streams", new { name = "s", shardCount }), HttpStatusCode.BadRequest, "between 1 and 64");
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("")]
    public async Task An_invalid_stream_name_is_refused(string name)
    {
        var tenant = await cluster.CreateTenantAsync();
        using var http = cluster.CreateHttpClient(tenant.Token);
        await Problem.AssertAsync(await http.PostAsJsonAsync("/v1/streams", new { name, shardCount = 1 }), HttpStatusCode.BadRequest, "Stream name");
    }

    [Fact]
    public async Task A_malformed_body_is_a_bad_request()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var http = cluster.CreateHttpClient(tenant.Token);
        using var content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/v1/streams", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Health_readiness_and_openapi_are_served()
    {
        using var http = cluster.CreateHttpClient(null);
        Assert.Equal("ok", await http.GetStringAsync("/healthz"));
        var ready = await http.GetFromJsonAsync<JsonElement>("/readyz");
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(3, ready.GetProperty("liveStorageNodes").GetInt32());
        var openApi = await http.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        var paths = openApi.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/streams", out _));
        Assert.True(paths.TryGetProperty("/v1/streams/{name}/records", out _));
        Assert.True(paths.TryGetProperty("/v1/streams/{name}/shards/{shardId}/records", out _));
        using var ui = await http.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
    }
}
