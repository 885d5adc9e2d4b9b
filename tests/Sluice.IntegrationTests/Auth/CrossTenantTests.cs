using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Sluice.Client;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.IntegrationTests.Kinesis;
using Sluice.V1;

namespace Sluice.IntegrationTests.Auth;

/// <summary>
/// Another tenant's stream answers every operation, on every face, exactly like a stream that does not exist: the same status,
/// error type and message (but for the name), never a 403 — and the stream is untouched afterwards.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CrossTenantTests(ClusterFixture cluster)
{
    private const string Owned = "private";
    private const string Missing = "missing";
    private const string UpperHalf = "170141183460469231731687303715884105728";

    [Fact]
    public async Task Every_rest_operation_on_another_tenants_stream_answers_like_a_missing_one()
    {
        var (owner, other) = await TenantsAsync();
        using var ownerHttp = cluster.CreateHttpClient(owner.Token);
        using var otherHttp = cluster.CreateHttpClient(other.Token);
        await CreateOwnedStreamAsync(ownerHttp);

        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, "/v1/streams/{0}", null),
            (HttpMethod.Delete, "/v1/streams/{0}", null),
            (HttpMethod.Post, "/v1/streams/{0}/records", new { records = new[] { new { partitionKey = "k", data = "eA==" } } }),
            (HttpMethod.Get, "/v1/streams/{0}/shards/shardId-000000000000/records?from=oldest", null),
            (HttpMethod.Get, "/v1/streams/{0}/shards/shardId-000000000000/records?from=latest", null),
            (HttpMethod.Post, "/v1/streams/{0}/shards:split", new { shardId = "shardId-000000000000", newStartingHashKey = "1000" }),
            (HttpMethod.Post, "/v1/streams/{0}/shards:merge", new { shardId = "shardId-000000000000", adjacentShardId = "shardId-000000000001" }),
            (HttpMethod.Post, "/v1/streams/{0}/shards:scale", new { targetShardCount = 3 }),
        })
        {
            var foreign = await ShapeAsync(otherHttp, method, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, Owned), body);
            var missing = await ShapeAsync(otherHttp, method, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, Missing), body);
            Assert.True(foreign.Status == HttpStatusCode.NotFound, $"{method} {path}: {foreign}");
            Assert.Equal(missing, foreign);
        }

        var listed = await otherHttp.GetFromJsonAsync<JsonElement>("/v1/streams");
        Assert.Empty(listed.GetProperty("streams").EnumerateArray());
        await AssertUntouchedAsync(ownerHttp);
    }

    [Fact]
    public async Task Every_grpc_operation_on_another_tenants_stream_answers_like_a_missing_one()
    {
        var (owner, other) = await TenantsAsync();
        using var ownerHttp = cluster.CreateHttpClient(owner.Token);
        await CreateOwnedStreamAsync(ownerHttp);
        using var grpc = cluster.CreateClient(other);

        foreach (var (operation, call) in new (string, Func<string, Task>)[]
        {
            ("DescribeStream", name => grpc.DescribeStreamAsync(name)),
            ("DeleteStream", name => grpc.DeleteStreamAsync(name)),
            ("PutRecords", name => grpc.PutRecordsAsync(name, [new PutRecordsEntry { PartitionKey = "k", Data = ByteString.CopyFromUtf8("x") }])),
            ("GetRecords", name => grpc.GetRecordsAsync(new GetRecordsRequest { Stream = name, ShardId = "shardId-000000000000", Position = StartPosition.TrimHorizon })),
            ("SplitShard", name => grpc.SplitShardAsync(name, "shardId-000000000000", "1000")),
            ("MergeShards", name => grpc.MergeShardsAsync(name, "shardId-000000000000", "shardId-000000000001")),
            ("UpdateShardCount", name => grpc.UpdateShardCountAsync(name, 3)),
        })
        {
            var foreign = await Assert.ThrowsAsync<RpcException>(() => call(Owned));
            var missing = await Assert.ThrowsAsync<RpcException>(() => call(Missing));
            Assert.True(foreign.StatusCode == StatusCode.NotFound, $"{operation}: {foreign.Status}");
            Assert.Equal((missing.StatusCode, Normalize(missing.Status.Detail)), (foreign.StatusCode, Normalize(foreign.Status.Detail)));
        }

        await foreach (var stream in grpc.ListStreamsAsync())
        {
            Assert.Fail($"the other tenant listed {stream.Name}");
        }

        await AssertUntouchedAsync(ownerHttp);
    }

    [Fact]
    public async Task Every_kinesis_operation_on_another_tenants_stream_answers_like_a_missing_one()
    {
        var (owner, other) = await TenantsAsync();
        using var ownerHttp = cluster.CreateHttpClient(owner.Token);
        await CreateOwnedStreamAsync(ownerHttp);
        var ownerKey = await cluster.CreateAccessKeyAsync(owner);
        var otherKey = await cluster.CreateAccessKeyAsync(other);
        using var ownerKinesis = new SignedKinesisClient(cluster.HttpEndpoint, ownerKey.AccessKeyId, ownerKey.SecretAccessKey);
        using var kinesis = new SignedKinesisClient(cluster.HttpEndpoint, otherKey.AccessKeyId, otherKey.SecretAccessKey);
        var ownerArn = $"arn:aws:kinesis:{SignedKinesisClient.Region}:{owner.AccountId}:stream/{Owned}";
        var consumerArn = (string)(await ownerKinesis.CallAsync("RegisterStreamConsumer", new { StreamARN = ownerArn, ConsumerName = "c1" }))["Consumer"]!["ConsumerARN"]!;

        string Arn(string account, string name) => $"arn:aws:kinesis:{SignedKinesisClient.Region}:{account}:stream/{name}";
        var requests = new (string Operation, Func<string, object> Request)[]
        {
            ("DescribeStream", name => new { StreamName = name }),
            ("DescribeStreamSummary", name => new { StreamName = name }),
            ("DescribeStreamSummary", name => new { StreamARN = Arn(owner.AccountId, name) }),
            ("ListShards", name => new { StreamName = name }),
            ("PutRecord", name => new { StreamName = name, Data = "eA==", PartitionKey = "k" }),
            ("PutRecords", name => new { StreamName = name, Records = new[] { new { Data = "eA==", PartitionKey = "k" } } }),
            ("PutRecords", name => new { StreamARN = Arn(owner.AccountId, name), Records = new[] { new { Data = "eA==", PartitionKey = "k" } } }),
            ("GetShardIterator", name => new { StreamName = name, ShardId = "shardId-000000000000", ShardIteratorType = "TRIM_HORIZON" }),
            ("DeleteStream", name => new { StreamName = name }),
            ("SplitShard", name => new { StreamName = name, ShardToSplit = "shardId-000000000000", NewStartingHashKey = "1000" }),
            ("MergeShards", name => new { StreamName = name, ShardToMerge = "shardId-000000000000", AdjacentShardToMerge = "shardId-000000000001" }),
            ("UpdateShardCount", name => new { StreamName = name, TargetShardCount = 3, ScalingType = "UNIFORM_SCALING" }),
            ("AddTagsToStream", name => new { StreamName = name, Tags = new Dictionary<string, string> { ["k"] = "v" } }),
            ("RemoveTagsFromStream", name => new { StreamName = name, TagKeys = new[] { "k" } }),
            ("ListTagsForStream", name => new { StreamName = name }),
            ("IncreaseStreamRetentionPeriod", name => new { StreamName = name, RetentionPeriodHours = 48 }),
            ("DecreaseStreamRetentionPeriod", name => new { StreamName = name, RetentionPeriodHours = 24 }),
            ("RegisterStreamConsumer", name => new { StreamARN = Arn(other.AccountId, name), ConsumerName = "c2" }),
            ("RegisterStreamConsumer", name => new { StreamARN = Arn(owner.AccountId, name), ConsumerName = "c2" }),
            ("ListStreamConsumers", name => new { StreamARN = Arn(other.AccountId, name) }),
            ("ListStreamConsumers", name => new { StreamARN = Arn(owner.AccountId, name) }),
            ("DescribeStreamConsumer", name => new { StreamARN = Arn(other.AccountId, name), ConsumerName = "c1" }),
            ("DescribeStreamConsumer", name => new { ConsumerARN = consumerArn.Replace($"/{Owned}/", $"/{name}/", StringComparison.Ordinal) }),
            ("DeregisterStreamConsumer", name => new { ConsumerARN = consumerArn.Replace($"/{Owned}/", $"/{name}/", StringComparison.Ordinal) }),
            ("SubscribeToShard", name => new
            {
                ConsumerARN = consumerArn.Replace($"/{Owned}/", $"/{name}/", StringComparison.Ordinal),
                ShardId = "shardId-000000000000",
                StartingPosition = new { Type = "TRIM_HORIZON" },
            }),
        };
        foreach (var (operation, request) in requests)
        {
            var foreign = Shape(await kinesis.SendAsync(operation, request(Owned)));
            var missing = Shape(await kinesis.SendAsync(operation, request(Missing)));
            Assert.True(foreign is { Status: HttpStatusCode.BadRequest, Type: "ResourceNotFoundException" }, $"{operation}: {foreign}");
            Assert.Equal(missing, foreign);
        }

        var names = (await kinesis.CallAsync("ListStreams", new { }))["StreamNames"]!.AsArray();
        Assert.Empty(names);
        await AssertUntouchedAsync(ownerHttp);
        var consumers = (await ownerKinesis.CallAsync("ListStreamConsumers", new { StreamARN = ownerArn }))["Consumers"]!.AsArray();
        Assert.Equal(["c1"], consumers.Select(c => (string?)c!["ConsumerName"]));
    }

    private async Task<(TestTenant Owner, TestTenant Other)> TenantsAsync() =>
        (await cluster.CreateTenantAsync("owner"), await cluster.CreateTenantAsync("other"));

    private static async Task CreateOwnedStreamAsync(HttpClient owner)
    {
        using var create = await owner.PostAsJsonAsync("/v1/streams", new { name = Owned, shardCount = 2 });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        (await owner.PostAsJsonAsync($"/v1/streams/{Owned}/records", new { records = new[] { new { partitionKey = "k", explicitHashKey = "0", data = "c2VjcmV0" } } })).EnsureSuccessStatusCode();
    }

    /// <summary>The owner's stream still has its two shards, one record and status ACTIVE.</summary>
    private static async Task AssertUntouchedAsync(HttpClient owner)
    {
        var described = await owner.GetFromJsonAsync<JsonElement>($"/v1/streams/{Owned}");
        Assert.Equal("ACTIVE", described.GetProperty("status").GetString());
        Assert.Equal(2, described.GetProperty("shards").GetArrayLength());
        var read = await owner.GetFromJsonAsync<JsonElement>($"/v1/streams/{Owned}/shards/shardId-000000000000/records?from=oldest");
        Assert.Single(read.GetProperty("records").EnumerateArray());
    }

    private static async Task<(HttpStatusCode Status, string? Title, string? Detail)> ShapeAsync(HttpClient http, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, json.GetProperty("title").GetString(), Normalize(json.GetProperty("detail").GetString()));
    }

    private static (HttpStatusCode Status, string? Type, string? Message) Shape((HttpStatusCode Status, JsonNode? Body) answer) =>
        (answer.Status, (string?)answer.Body?["__type"], Normalize((string?)answer.Body?["message"]));

    private static string? Normalize(string? text) =>
        text?.Replace(Owned, "NAME", StringComparison.Ordinal).Replace(Missing, "NAME", StringComparison.Ordinal);
}
