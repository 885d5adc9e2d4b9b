using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Npgsql;
using Sluice.Client;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.V1;

namespace Sluice.IntegrationTests.Replication;

/// <summary>
/// acks on a replicated shard (RF 3, min in-sync replicas 2): acks=all waits for the ISR and is refused when the ISR is
/// below the minimum, acks=leader does not wait for followers, acks=none does not wait at all, and readers never see a
/// record above the high watermark.
/// </summary>
[Collection(ReplicationClusterCollection.Name)]
public sealed class AcksTests(ReplicationClusterFixture cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Acks_all_returns_once_every_in_sync_replica_holds_the_records()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        var stream = $"acks-all-{Guid.NewGuid():N}";
        var description = await client.CreateStreamAsync(stream, 2);
        Assert.All(description.Shards, s => Assert.Equal(3, s.Replicas.Count));

        var response = await client.PutRecordsAsync(stream, Records("a", 100), Acks.All);
        Assert.Equal(0, response.FailedRecordCount);

        // Every replica is in sync and the leader's high watermark is past every acknowledged record.
        foreach (var shard in description.Shards)
        {
            var state = await ReadShardStateAsync(stream, shard.ShardId);
            Assert.Equal(3, state.Isr.Length);
        }

        var read = await ReadAllAsync(client, stream, description);
        Assert.Equal(100, read.Count);
    }

    [Fact]
    public async Task Acks_all_is_refused_retriably_below_min_in_sync_replicas_while_acks_leader_still_writes()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        using var http = cluster.CreateHttpClient(tenant.Token);
        var stream = $"acks-min-isr-{Guid.NewGuid():N}";
        var description = await client.CreateStreamAsync(stream, 1);
        var shard = description.Shards[0];
        var followers = shard.Replicas.Where(r => r != shard.LeaderNode).Select(cluster.Node).ToList();
        Assert.Equal(2, followers.Count);
        await client.PutRecordsAsync(stream, Records("before", 5), Acks.All);

        try
        {
            foreach (var follower in followers)
            {
                await follower.KillAsync();
            }

            // The leader (or the controller) drops the dead followers from the ISR.
            await Wait.UntilAsync(async () => (await ReadShardStateAsync(stream, shard.ShardId)).Isr.Length == 1, Timeout, () => "the ISR to shrink to the leader");

            var grpcError = await Assert.ThrowsAsync<RpcException>(() => client.PutRecordsAsync(stream, Records("refused", 3), Acks.All));
            Assert.Equal(StatusCode.Unavailable, grpcError.StatusCode);
            Assert.Contains("in-sync replica", grpcError.Status.Detail, StringComparison.Ordinal);
            Assert.True(SluiceClient.IsRetriable(grpcError));

            using var restPut = await http.PostAsJsonAsync($"/v1/streams/{stream}/records", new { acks = "all", records = new[] { new { partitionKey = "k", data = "eA==" } } });
            await Problem.AssertAsync(restPut, HttpStatusCode.ServiceUnavailable, "in-sync replica");
            Assert.NotNull(restPut.Headers.RetryAfter);

            var leaderOnly = await client.PutRecordsAsync(stream, Records("leader", 4), Acks.Leader);
            Assert.Equal(0, leaderOnly.FailedRecordCount);
        }
        finally
        {
            foreach (var follower in followers.Where(f => !f.IsRunning))
            {
                follower.Start();
            }
        }

        foreach (var follower in followers)
        {
            await follower.WaitHealthyAsync(Timeout);
        }

        // Restarted followers catch up and rejoin the ISR; acks=all works again.
        await Wait.UntilAsync(async () => (await ReadShardStateAsync(stream, shard.ShardId)).Isr.Length == 3, Timeout, () => "the restarted followers to rejoin the ISR");
        await Wait.UntilAsync(async () =>
        {
            try
            {
                return (await client.PutRecordsAsync(stream, Records("after", 2), Acks.All)).FailedRecordCount == 0;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                return false;
            }
        }, Timeout, () => "acks=all to be accepted again");

        var values = (await ReadAllAsync(client, stream, description)).Select(r => r.Data.ToStringUtf8()).ToList();
        Assert.Equal(Values("before", 5).Concat(Values("leader", 4)), values.Take(9));
        Assert.DoesNotContain(values, v => v.StartsWith("refused", StringComparison.Ordinal));
        Assert.Contains("after-0", values);
    }

    [Fact]
    public async Task Readers_do_not_see_a_record_until_the_in_sync_replicas_hold_it()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        var stream = $"acks-hw-{Guid.NewGuid():N}";
        var description = await client.CreateStreamAsync(stream, 1);
        var shard = description.Shards[0];
        var followers = shard.Replicas.Where(r => r != shard.LeaderNode).Select(cluster.Node).ToList();
        await client.PutRecordsAsync(stream, Records("seen", 3), Acks.All);

        PutRecordsResponse put;
        GetRecordsResponse whilePaused;
        try
        {
            foreach (var follower in followers)
            {
                Signal(follower, "STOP");
            }

            // Written on the leader only: acknowledged with acks=leader, but above the high watermark.
            put = await client.PutRecordsAsync(stream, Records("pending", 1), Acks.Leader);
            whilePaused = await client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = shard.ShardId, Position = StartPosition.TrimHorizon, Limit = 100 });
        }
        finally
        {
            foreach (var follower in followers)
            {
                Signal(follower, "CONT");
            }
        }

        Assert.Equal(0, put.FailedRecordCount);
        Assert.False(string.IsNullOrEmpty(put.Results[0].SequenceNumber));
        Assert.Equal(Values("seen", 3), whilePaused.Records.Select(r => r.Data.ToStringUtf8()));

        // Once the followers have it (or have left the ISR), it is readable.
        await Wait.UntilAsync(async () => (await ReadAllAsync(client, stream, description)).Count == 4, Timeout, () => "the acks=leader record to be committed");
    }

    [Fact]
    public async Task Acks_none_answers_shards_without_sequence_numbers_and_the_records_arrive()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        using var http = cluster.CreateHttpClient(tenant.Token);
        var stream = $"acks-none-{Guid.NewGuid():N}";
        var description = await client.CreateStreamAsync(stream, 2);

        var response = await client.PutRecordsAsync(stream, Records("grpc", 20), Acks.None);
        Assert.Equal(0, response.FailedRecordCount);
        Assert.All(response.Results, r =>
        {
            Assert.Equal("", r.SequenceNumber);
            Assert.StartsWith("shardId-", r.ShardId, StringComparison.Ordinal);
        });

        using var restPut = await http.PostAsJsonAsync($"/v1/streams/{stream}/records", new { acks = "none", records = new[] { new { partitionKey = "k", data = "eA==" } } });
        Assert.Equal(HttpStatusCode.OK, restPut.StatusCode);
        using var body = JsonDocument.Parse(await restPut.Content.ReadAsStringAsync());
        var result = body.RootElement.GetProperty("records")[0];
        Assert.True(!result.TryGetProperty("sequenceNumber", out var sequence) || sequence.ValueKind == JsonValueKind.Null, result.ToString());
        Assert.StartsWith("shardId-", result.GetProperty("shardId").GetString(), StringComparison.Ordinal);

        // A record that fails validation is still answered as failed.
        var invalid = await client.PutRecordsAsync(stream, [new PutRecordsEntry { PartitionKey = "", Data = ByteString.CopyFromUtf8("x") }], Acks.None);
        Assert.Equal(1, invalid.FailedRecordCount);

        await Wait.UntilAsync(async () => (await ReadAllAsync(client, stream, description)).Count == 21, Timeout, () => "the acks=none records to arrive");
    }

    [Fact]
    public async Task An_unknown_acks_value_is_a_clear_error_on_rest_and_grpc()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        using var http = cluster.CreateHttpClient(tenant.Token);
        var stream = $"acks-bad-{Guid.NewGuid():N}";
        await client.CreateStreamAsync(stream, 1);

        using var restPut = await http.PostAsJsonAsync($"/v1/streams/{stream}/records", new { acks = "most", records = new[] { new { partitionKey = "k", data = "eA==" } } });
        await Problem.AssertAsync(restPut, HttpStatusCode.BadRequest, "acks 'most' is not one of all, leader, none");

        var grpcError = await Assert.ThrowsAsync<RpcException>(() => client.PutRecordsAsync(stream, Records("x", 1), (Acks)42));
        Assert.Equal(StatusCode.InvalidArgument, grpcError.StatusCode);
        Assert.Contains("ACKS_ALL", grpcError.Status.Detail, StringComparison.Ordinal);
    }

    private static List<PutRecordsEntry> Records(string prefix, int count) =>
        [.. Values(prefix, count).Select((v, i) => new PutRecordsEntry { PartitionKey = $"{prefix}-{i}", Data = ByteString.CopyFromUtf8(v) })];

    private static IEnumerable<string> Values(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}-{i}");

    private static async Task<List<Sluice.V1.Record>> ReadAllAsync(SluiceClient client, string stream, StreamDescription description)
    {
        var records = new List<Sluice.V1.Record>();
        foreach (var shard in description.Shards)
        {
            await foreach (var record in client.ReadShardAsync(stream, shard.ShardId, StartPosition.TrimHorizon, follow: false))
            {
                records.Add(record);
            }
        }

        return records;
    }

    private static void Signal(HostProcess host, string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {host.ProcessId}");
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private async Task<(string? Leader, string[] Isr)> ReadShardStateAsync(string stream, string shardId)
    {
        await using var connection = new NpgsqlConnection(cluster.MetadataConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT sh.leader_node_id, sh.isr FROM shards sh JOIN streams st ON st.id = sh.stream_id WHERE st.name = @name AND sh.shard_index = @index", connection);
        query.Parameters.AddWithValue("name", stream);
        query.Parameters.AddWithValue("index", Core.ShardId.TryParse(shardId, out var index) ? index : -1);
        await using var reader = await query.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetFieldValue<string[]>(1));
    }
}
