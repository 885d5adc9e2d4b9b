using System.Globalization;
using System.Numerics;
using Google.Protobuf;
using Grpc.Core;
using Npgsql;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.V1;

namespace Sluice.IntegrationTests.Faults;

/// <summary>
/// A split whose parent's leader is down: the reshard still completes (the stream is ACTIVE, the
/// children take writes), the parent has no recorded end yet, and once its leader is back the
/// first reader to reach the parent seals it and is handed the children, with every record the
/// parent had acknowledged.
/// </summary>
[Collection(FaultClusterCollection.Name)]
public sealed class ReshardFaultTests(FaultClusterFixture cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Split_with_the_parent_leader_down_seals_the_parent_lazily_once_it_is_back()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        var stream = $"reshard-fault-{Guid.NewGuid():N}";
        // One replica: with followers, the controller would move the dead leader's shard to one of them and the seal
        // would not have to wait (the replicated case is in Replication/).
        var description = await client.CreateStreamAsync(stream, 3, new Sluice.Client.CreateStreamOptions { ReplicationFactor = 1 });
        // The first shard's leader is the victim (placement depends on what earlier tests left in the cluster).
        var parent = description.Shards[0];
        var victimId = parent.LeaderNode;
        var start = BigInteger.Parse(parent.StartingHashKey, CultureInfo.InvariantCulture);
        var end = BigInteger.Parse(parent.EndingHashKey, CultureInfo.InvariantCulture);
        var written = await PutAsync(client, stream, "before", 20, start);
        Assert.All(written, r => Assert.Equal(parent.ShardId, r.ShardId));

        var victim = cluster.Node(victimId);
        await victim.KillAsync();
        try
        {
            // Past the gateway's node lease, so no child is placed on the dead node.
            await WaitForDeadAsync(victimId);
            var middle = ((start + end + 1) / 2).ToString(CultureInfo.InvariantCulture);
            var split = await client.Streams.SplitShardAsync(new SplitShardRequest { Name = stream, ShardId = parent.ShardId, NewStartingHashKey = middle });
            Assert.Equal("ACTIVE", split.Status);
            var closed = split.Shards.Single(s => s.ShardId == parent.ShardId);
            Assert.Equal("CLOSED", closed.State);
            Assert.NotEmpty(closed.EndingSequenceNumber);
            var children = split.Shards.Where(s => s.ParentShardId == parent.ShardId).ToList();
            Assert.Equal(2, children.Count);
            Assert.All(children, c => Assert.NotEqual(victimId, c.LeaderNode));
            Assert.Null(await EndingOffsetAsync(stream, parent.ShardId));

            // The children take the parent's hash keys at once.
            var after = await PutAsync(client, stream, "after", 10, start);
            Assert.All(after, r => Assert.Equal(children.OrderBy(c => BigInteger.Parse(c.StartingHashKey, CultureInfo.InvariantCulture)).First().ShardId, r.ShardId));

            // The parent's records are on the dead node: reading fails retriably, never ends it early.
            var down = await Assert.ThrowsAsync<RpcException>(() => client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = parent.ShardId, Position = StartPosition.TrimHorizon }));
            Assert.Equal(StatusCode.Unavailable, down.StatusCode);
        }
        finally
        {
            victim.Start();
            await victim.WaitHealthyAsync(Timeout);
        }

        var read = new List<string>();
        GetRecordsResponse page;
        var request = new GetRecordsRequest { Stream = stream, ShardId = parent.ShardId, Position = StartPosition.TrimHorizon };
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            try
            {
                page = await client.GetRecordsAsync(request);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < deadline)
            {
                // The gateway notices the node is back within its route TTL.
                await Task.Delay(200);
                continue;
            }

            read.AddRange(page.Records.Select(r => r.SequenceNumber));
            if (page.ShardEnd)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the parent did not reach its end once its leader was back");
            request = new GetRecordsRequest { Stream = stream, ShardId = parent.ShardId, Position = StartPosition.AtSequenceNumber, SequenceNumber = page.NextSequenceNumber };
        }

        Assert.Equal(written.Select(r => r.SequenceNumber), read);
        Assert.Equal(2, page.ChildShards.Count);
        Assert.All(page.ChildShards, c => Assert.Equal([parent.ShardId], c.ParentShards));
        Assert.Equal(20, await EndingOffsetAsync(stream, parent.ShardId));
    }

    private static async Task<List<(string ShardId, string SequenceNumber)>> PutAsync(Sluice.Client.SluiceClient client, string stream, string prefix, int count, BigInteger hashKey)
    {
        var entries = Enumerable.Range(0, count)
            .Select(i => new PutRecordsEntry { PartitionKey = $"{prefix}-{i}", Data = ByteString.CopyFromUtf8($"{prefix}-{i}"), ExplicitHashKey = hashKey.ToString(CultureInfo.InvariantCulture) })
            .ToList();
        var response = await client.PutRecordsAsync(stream, entries);
        Assert.Equal(0, response.FailedRecordCount);
        return [.. response.Results.Select(r => (r.ShardId, r.SequenceNumber))];
    }

    private async Task WaitForDeadAsync(string nodeId)
    {
        await using var connection = new NpgsqlConnection(cluster.MetadataConnectionString);
        await connection.OpenAsync();
        await Wait.UntilAsync(async () =>
        {
            await using var query = new NpgsqlCommand("SELECT heartbeat_at < now() - interval '7 seconds' FROM storage_nodes WHERE id = @id", connection);
            query.Parameters.AddWithValue("id", nodeId);
            return (bool)(await query.ExecuteScalarAsync())!;
        }, Timeout, () => $"{nodeId}'s heartbeat lease to run out");
    }

    private async Task<long?> EndingOffsetAsync(string stream, string shardId)
    {
        await using var connection = new NpgsqlConnection(cluster.MetadataConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT sh.ending_offset FROM shards sh JOIN streams st ON st.id = sh.stream_id WHERE st.name = @name AND sh.shard_index = @index", connection);
        query.Parameters.AddWithValue("name", stream);
        query.Parameters.AddWithValue("index", int.Parse(shardId["shardId-".Length..], CultureInfo.InvariantCulture));
        return await query.ExecuteScalarAsync() is long value ? value : null;
    }
}
