using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Npgsql;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.IntegrationTests.Kinesis;
using Sluice.V1;

namespace Sluice.IntegrationTests.Streams;

/// <summary>
/// The stream lifecycle against real processes: CREATING until the storage node has prepared the
/// shards, ACTIVE then; DELETING until the node has removed them, gone then. The cluster's one node
/// is stopped to hold a stream in CREATING or DELETING for as long as a test looks at it: the node
/// still counts as live for placement (a one-minute lease), but nothing can prepare or remove its
/// shards while it is down.
/// </summary>
[Collection(LifecycleClusterCollection.Name)]
public sealed class StreamLifecycleTests(LifecycleClusterFixture cluster)
{
    private const string NodeId = "node-1";
    private static readonly TimeSpan RestartTimeout = TimeSpan.FromSeconds(90);

    // A node restart and a sweep or two on a loaded machine.
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);

    private HostProcess Node => cluster.Node(NodeId);

    [Fact]
    public async Task Kinesis_CreateStream_stays_CREATING_while_its_node_is_down_refuses_records_and_is_ACTIVE_with_its_shard_logs_once_the_node_is_back()
    {
        var (kinesis, tenant, _) = await NewKinesisClientAsync();
        using var owned = kinesis;
        var stream = Name("creating");

        await Node.StopAsync();
        try
        {
            await kinesis.CallAsync("CreateStream", new { StreamName = stream, ShardCount = 2 });

            var description = (await kinesis.CallAsync("DescribeStream", new { StreamName = stream }))["StreamDescription"]!;
            Assert.Equal("CREATING", (string)description["StreamStatus"]!);
            Assert.Equal("CREATING", await SummaryStatusAsync(kinesis, stream));
            Assert.Equal("CREATING", await ListedStatusAsync(kinesis, stream));
            Assert.Equal("Creating", await DatabaseStatusAsync(tenant, stream));

            // Kinesis: records of a stream that is not ACTIVE are answered as of a missing stream,
            // and what needs an ACTIVE stream is "in use".
            await AssertErrorAsync(kinesis, "PutRecord", new { StreamName = stream, Data = "AA==", PartitionKey = "p" }, "ResourceNotFoundException");
            await AssertErrorAsync(kinesis, "PutRecords", new { StreamName = stream, Records = new[] { new { Data = "AA==", PartitionKey = "p" } } }, "ResourceNotFoundException");
            await AssertErrorAsync(kinesis, "GetShardIterator", new { StreamName = stream, ShardId = "shardId-000000000000", ShardIteratorType = "TRIM_HORIZON" }, "ResourceNotFoundException");
            await AssertErrorAsync(kinesis, "ListShards", new { StreamName = stream }, "ResourceInUseException");
            await AssertErrorAsync(kinesis, "DeleteStream", new { StreamName = stream }, "ResourceInUseException");
            await AssertErrorAsync(kinesis, "AddTagsToStream", new { StreamName = stream, Tags = new Dictionary<string, string> { ["k"] = "v" } }, "ResourceInUseException");
            Assert.Equal("Creating", await DatabaseStatusAsync(tenant, stream));
        }
        finally
        {
            Node.Start();
        }

        await Node.WaitHealthyAsync(RestartTimeout);
        await kinesis.WaitForStatusAsync(stream, "ACTIVE", SettleTimeout);

        // Prepared before any record was written: both shard logs are on the node's disk.
        var streamId = await StreamIdAsync(tenant, stream);
        Assert.All(new[] { 0, 1 }, shard => Assert.True(Directory.Exists(ShardDirectory(streamId, shard)), $"no log directory for shard {shard}"));

        var put = await kinesis.CallAsync("PutRecord", new { StreamName = stream, Data = Convert.ToBase64String("after"u8.ToArray()), PartitionKey = "p" });
        var iterator = (string)(await kinesis.CallAsync("GetShardIterator", new { StreamName = stream, ShardId = (string)put["ShardId"]!, ShardIteratorType = "TRIM_HORIZON" }))["ShardIterator"]!;
        var records = (await kinesis.CallAsync("GetRecords", new { ShardIterator = iterator }))["Records"]!.AsArray();
        Assert.Equal("after", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)Assert.Single(records)!["Data"]!)));
        Assert.Equal(2, (await kinesis.CallAsync("ListShards", new { StreamName = stream }))["Shards"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_stream_left_CREATING_by_a_gateway_that_died_is_made_ACTIVE_by_another_gateways_sweep()
    {
        var (kinesis, tenant, key) = await NewKinesisClientAsync();
        using var owned = kinesis;
        var stream = Name("orphan");
        var gateway = cluster.Gateway!;
        var (second, secondEndpoint) = cluster.CreateExtraGateway("gateway-2");
        await using var secondOwned = second;

        await Node.StopAsync();
        try
        {
            await kinesis.CallAsync("CreateStream", new { StreamName = stream, ShardCount = 1 });
            Assert.Equal("CREATING", await SummaryStatusAsync(kinesis, stream));
            await gateway.KillAsync();
        }
        finally
        {
            Node.Start();
        }

        try
        {
            await Node.WaitHealthyAsync(RestartTimeout);
            // The node is back, but no gateway runs: nothing completes the stream.
            Assert.Equal("Creating", await DatabaseStatusAsync(tenant, stream));

            second.Start();
            await second.WaitHealthyAsync(RestartTimeout);
            using var viaSecond = new SignedKinesisClient(secondEndpoint, key.AccessKeyId, key.SecretAccessKey);
            await viaSecond.WaitForStatusAsync(stream, "ACTIVE", SettleTimeout);
            Assert.Equal("Active", await DatabaseStatusAsync(tenant, stream));
            await viaSecond.CallAsync("PutRecord", new { StreamName = stream, Data = "AA==", PartitionKey = "p" });
        }
        finally
        {
            if (!gateway.IsRunning)
            {
                gateway.Start();
            }

            await gateway.WaitHealthyAsync(RestartTimeout);
        }

        // Two gateways sweep now; the stream serves through the first one too.
        await kinesis.CallAsync("PutRecord", new { StreamName = stream, Data = "AQ==", PartitionKey = "p" });
        Assert.True(Directory.Exists(ShardDirectory(await StreamIdAsync(tenant, stream), 0)));
    }

    [Fact]
    public async Task Kinesis_DeleteStream_shows_DELETING_until_the_node_removed_the_shard_logs_then_the_stream_is_gone_and_the_name_free()
    {
        var (kinesis, tenant, _) = await NewKinesisClientAsync();
        using var owned = kinesis;
        var stream = Name("deleting");
        await kinesis.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 2 });
        await kinesis.CallAsync("PutRecords", new { StreamName = stream, Records = Enumerable.Range(0, 20).Select(i => new { Data = "AA==", PartitionKey = $"k{i}" }).ToArray() });
        var iterator = (string)(await kinesis.CallAsync("GetShardIterator", new { StreamName = stream, ShardId = "shardId-000000000000", ShardIteratorType = "TRIM_HORIZON" }))["ShardIterator"]!;
        var streamId = await StreamIdAsync(tenant, stream);
        var streamDirectory = Path.Combine(cluster.NodeDataDirectory(NodeId), streamId.ToString(CultureInfo.InvariantCulture));
        Assert.True(Directory.Exists(ShardDirectory(streamId, 0)) && Directory.Exists(ShardDirectory(streamId, 1)));

        await Node.StopAsync();
        try
        {
            await kinesis.CallAsync("DeleteStream", new { StreamName = stream, EnforceConsumerDeletion = false });

            var description = (await kinesis.CallAsync("DescribeStream", new { StreamName = stream }))["StreamDescription"]!;
            Assert.Equal("DELETING", (string)description["StreamStatus"]!);
            Assert.Equal("DELETING", await SummaryStatusAsync(kinesis, stream));
            Assert.Equal("DELETING", await ListedStatusAsync(kinesis, stream));

            await AssertErrorAsync(kinesis, "PutRecord", new { StreamName = stream, Data = "AA==", PartitionKey = "p" }, "ResourceNotFoundException");
            await AssertErrorAsync(kinesis, "GetShardIterator", new { StreamName = stream, ShardId = "shardId-000000000000", ShardIteratorType = "TRIM_HORIZON" }, "ResourceNotFoundException");
            await AssertErrorAsync(kinesis, "GetRecords", new { ShardIterator = iterator }, "ResourceNotFoundException");
            await AssertErrorAsync(kinesis, "CreateStream", new { StreamName = stream, ShardCount = 1 }, "ResourceInUseException");

            // Repeating the delete is harmless; the node being down, nothing is removed yet.
            await kinesis.CallAsync("DeleteStream", new { StreamName = stream });
            Assert.True(Directory.Exists(ShardDirectory(streamId, 0)));
            Assert.Equal("Deleting", await DatabaseStatusAsync(tenant, stream));
        }
        finally
        {
            Node.Start();
        }

        await Node.WaitHealthyAsync(RestartTimeout);
        await kinesis.WaitUntilGoneAsync(stream, SettleTimeout);
        Assert.False(Directory.Exists(streamDirectory), $"{streamDirectory} is still there");
        Assert.Null(await DatabaseStatusAsync(tenant, stream));

        // The name is free again, for a new stream with shards of its own.
        await kinesis.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 1 });
        Assert.NotEqual(streamId, await StreamIdAsync(tenant, stream));
        var fresh = (string)(await kinesis.CallAsync("GetShardIterator", new { StreamName = stream, ShardId = "shardId-000000000000", ShardIteratorType = "TRIM_HORIZON" }))["ShardIterator"]!;
        Assert.Empty((await kinesis.CallAsync("GetRecords", new { ShardIterator = fresh }))["Records"]!.AsArray());
    }

    [Fact]
    public async Task REST_and_gRPC_wait_for_ACTIVE_and_for_gone_and_answer_the_stream_still_pending_when_the_wait_runs_out()
    {
        var tenant = await cluster.CreateTenantAsync("life");
        using var http = cluster.CreateHttpClient(tenant.Token);
        using var grpc = cluster.CreateClient(tenant);
        var restStream = Name("rest");
        var grpcStream = Name("grpc");
        var abandoned = Name("abandoned");

        await Node.StopAsync();
        try
        {
            using var created = await http.PostAsJsonAsync("/v1/streams", new { name = restStream, shardCount = 1 });
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
            Assert.Equal("CREATING", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
            Assert.Equal($"/v1/streams/{restStream}", created.Headers.Location?.OriginalString);
            Assert.Equal("CREATING", (await grpc.CreateStreamAsync(grpcStream, 1)).Status);

            await Problem.AssertAsync(
                await http.PostAsJsonAsync($"/v1/streams/{restStream}/records", new { records = new[] { new { partitionKey = "k", data = "eA==" } } }),
                HttpStatusCode.Conflict, "not ACTIVE");
            var refused = await Assert.ThrowsAsync<RpcException>(() => grpc.PutRecordsAsync(grpcStream, [new PutRecordsEntry { PartitionKey = "k", Data = ByteString.CopyFromUtf8("x") }]));
            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);

            // Our own faces may abandon a stream whose creation cannot finish.
            (await http.PostAsJsonAsync("/v1/streams", new { name = abandoned, shardCount = 1 })).Dispose();
            using var abandon = await http.DeleteAsync($"/v1/streams/{abandoned}");
            Assert.Equal(HttpStatusCode.Accepted, abandon.StatusCode);
            Assert.Equal("DELETING", (await abandon.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }
        finally
        {
            Node.Start();
        }

        await Node.WaitHealthyAsync(RestartTimeout);
        await WaitForRestStatusAsync(http, restStream, "ACTIVE");
        await Wait.UntilAsync(async () => (await grpc.DescribeStreamAsync(grpcStream)).Status == "ACTIVE", SettleTimeout, () => $"{grpcStream} to be ACTIVE");
        await WaitForRestStatusAsync(http, abandoned, null);
        (await http.PostAsJsonAsync($"/v1/streams/{restStream}/records", new { records = new[] { new { partitionKey = "k", data = "eA==" } } })).EnsureSuccessStatusCode();

        await Node.StopAsync();
        try
        {
            using var deleted = await http.DeleteAsync($"/v1/streams/{restStream}");
            Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
            Assert.Equal("DELETING", (await deleted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
            var grpcDeleted = await grpc.Streams.DeleteStreamAsync(new DeleteStreamRequest { Name = grpcStream });
            Assert.Equal("DELETING", grpcDeleted.Status);

            Assert.Equal("DELETING", (await http.GetFromJsonAsync<JsonElement>($"/v1/streams/{restStream}")).GetProperty("status").GetString());
            await Problem.AssertAsync(await http.PostAsJsonAsync("/v1/streams", new { name = restStream, shardCount = 1 }), HttpStatusCode.Conflict, "being deleted");
            await Problem.AssertAsync(await http.GetAsync($"/v1/streams/{restStream}/shards/shardId-000000000000/records"), HttpStatusCode.Conflict, "DELETING");
        }
        finally
        {
            Node.Start();
        }

        await Node.WaitHealthyAsync(RestartTimeout);
        await WaitForRestStatusAsync(http, restStream, null);
        await Wait.UntilAsync(async () =>
        {
            try
            {
                await grpc.DescribeStreamAsync(grpcStream);
                return false;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                return true;
            }
        }, SettleTimeout, () => $"{grpcStream} to be gone");

        // With the node up, both faces answer once the transition is done.
        using var again = await http.PostAsJsonAsync("/v1/streams", new { name = restStream, shardCount = 1 });
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("ACTIVE", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        using var gone = await http.DeleteAsync($"/v1/streams/{restStream}");
        Assert.Equal(HttpStatusCode.NoContent, gone.StatusCode);
        Assert.Equal("", (await grpc.Streams.DeleteStreamAsync(new DeleteStreamRequest { Name = (await grpc.CreateStreamAsync(grpcStream, 1)).Name })).Status);
    }

    private string ShardDirectory(long streamId, int shardIndex) =>
        Path.Combine(cluster.NodeDataDirectory(NodeId), streamId.ToString(CultureInfo.InvariantCulture), shardIndex.ToString(CultureInfo.InvariantCulture));

    private async Task<(SignedKinesisClient Client, TestTenant Tenant, Sluice.Metadata.NewAccessKey Key)> NewKinesisClientAsync()
    {
        var tenant = await cluster.CreateTenantAsync("life");
        var key = await cluster.CreateAccessKeyAsync(tenant);
        return (new SignedKinesisClient(cluster.HttpEndpoint, key.AccessKeyId, key.SecretAccessKey), tenant, key);
    }

    private static async Task<string> SummaryStatusAsync(SignedKinesisClient kinesis, string stream) =>
        (string)(await kinesis.CallAsync("DescribeStreamSummary", new { StreamName = stream }))["StreamDescriptionSummary"]!["StreamStatus"]!;

    private static async Task<string> ListedStatusAsync(SignedKinesisClient kinesis, string stream)
    {
        var summaries = (await kinesis.CallAsync("ListStreams", new { }))["StreamSummaries"]!.AsArray();
        return (string)summaries.Single(s => (string)s!["StreamName"]! == stream)!["StreamStatus"]!;
    }

    private static async Task AssertErrorAsync(SignedKinesisClient kinesis, string operation, object body, string type)
    {
        var (status, answer) = await kinesis.SendAsync(operation, body);
        Assert.True(status == HttpStatusCode.BadRequest && (string?)answer?["__type"] == type,
            $"{operation}: expected {type}, got {(int)status} {answer?.ToJsonString()}");
    }

    /// <summary>Polls GET /v1/streams/{name} until the status is <paramref name="status"/> (null: 404).</summary>
    private static async Task WaitForRestStatusAsync(HttpClient http, string stream, string? status)
    {
        var last = "";
        await Wait.UntilAsync(async () =>
        {
            using var response = await http.GetAsync($"/v1/streams/{stream}");
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                last = "404";
                return status is null;
            }

            last = JsonNode.Parse(await response.Content.ReadAsStringAsync())?["status"]?.GetValue<string>() ?? "?";
            return last == status;
        }, SettleTimeout, () => $"stream {stream} to be {status ?? "gone"}; it is {last}");
    }

    private async Task<string?> DatabaseStatusAsync(TestTenant tenant, string stream)
    {
        await using var connection = new NpgsqlConnection(cluster.MetadataConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT status FROM streams WHERE tenant_id = @tenant AND name = @name", connection);
        query.Parameters.AddWithValue("tenant", tenant.Id);
        query.Parameters.AddWithValue("name", stream);
        return (string?)await query.ExecuteScalarAsync();
    }

    private async Task<long> StreamIdAsync(TestTenant tenant, string stream)
    {
        await using var connection = new NpgsqlConnection(cluster.MetadataConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT id FROM streams WHERE tenant_id = @tenant AND name = @name", connection);
        query.Parameters.AddWithValue("tenant", tenant.Id);
        query.Parameters.AddWithValue("name", stream);
        return (long)(await query.ExecuteScalarAsync() ?? throw new InvalidOperationException($"stream {stream} is not in the database"));
    }

    private static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
