using System.Net;
using System.Net.Http.Json;
using Google.Protobuf;
using Grpc.Core;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.V1;

namespace Sluice.IntegrationTests.Faults;

/// <summary>
/// kill -9 of a storage node holding the only replica of its shards (replication factor 1): requests for them fail
/// retriably, nothing acknowledged is lost. Replicated shards fail over instead: Replication/.
/// </summary>
[Collection(FaultClusterCollection.Name)]
public sealed class StorageNodeCrashTests(FaultClusterFixture cluster)
{
    private static readonly TimeSpan RestartTimeout = TimeSpan.FromSeconds(60);
    private static readonly Sluice.Client.CreateStreamOptions SingleReplica = new() { ReplicationFactor = 1 };

    [Fact]
    public async Task Killing_a_storage_node_during_writes_and_restarting_it_loses_nothing_acknowledged()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        var stream = $"crash-{Guid.NewGuid():N}";
        var description = await client.CreateStreamAsync(stream, 6, SingleReplica);
        // The node leading the first shard (placement depends on what earlier tests left in the cluster).
        var victimId = description.Shards[0].LeaderNode;
        var victim = cluster.Node(victimId);
        var victimShards = description.Shards.Where(s => s.LeaderNode == victimId).Select(s => s.ShardId).ToHashSet();
        Assert.NotEmpty(victimShards);

        var acknowledged = new Dictionary<string, List<(string Sequence, string Data)>>();
        var unavailableSeen = 0;
        var next = 0;

        async Task WriteBatchAsync()
        {
            var entries = Enumerable.Range(next, 50).Select(i => new PutRecordsEntry { PartitionKey = $"p{i}", Data = ByteString.CopyFromUtf8($"value-{i}") }).ToList();
            next += entries.Count;
            PutRecordsResponse response;
            try
            {
                response = await client.PutRecordsAsync(stream, entries);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                unavailableSeen++;
                return;
            }

            for (var i = 0; i < entries.Count; i++)
            {
                var result = response.Results[i];
                if (string.IsNullOrEmpty(result.ErrorCode))
                {
                    if (!acknowledged.TryGetValue(result.ShardId, out var list))
                    {
                        acknowledged[result.ShardId] = list = [];
                    }

                    list.Add((result.SequenceNumber, entries[i].Data.ToStringUtf8()));
                }
                else
                {
                    Assert.Equal("ServiceUnavailable", result.ErrorCode);
                    Assert.Contains(victimId, result.ErrorMessage, StringComparison.Ordinal);
                    unavailableSeen++;
                }
            }
        }

        try
        {
            for (var i = 0; i < 10; i++)
            {
                await WriteBatchAsync();
            }

            await victim.KillAsync();
            for (var i = 0; i < 10; i++)
            {
                await WriteBatchAsync();
            }

            Assert.True(unavailableSeen > 0, "writes to the dead node's shards must fail retriably, not vanish");

            // A read of a dead node's shard is a retriable 503, not an empty answer.
            using var http = cluster.CreateHttpClient(tenant.Token);
            using var deadRead = await http.GetAsync($"/v1/streams/{stream}/shards/{victimShards.First()}/records?from=oldest");
            await Problem.AssertAsync(deadRead, HttpStatusCode.ServiceUnavailable, victimId);
            Assert.NotNull(deadRead.Headers.RetryAfter);
        }
        finally
        {
            if (!victim.IsRunning)
            {
                victim.Start();
            }
        }

        await victim.WaitHealthyAsync(RestartTimeout);

        // The restarted node registers a new node epoch; the controller confirms it as the leader of its shards
        // (KIP-903) before they take writes again.
        foreach (var shardId in victimShards)
        {
            await Wait.UntilAsync(async () =>
            {
                try
                {
                    await client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = shardId, Position = StartPosition.Latest });
                    return true;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
                {
                    return false;
                }
            }, RestartTimeout, () => $"{shardId} to be served again after its node restarted");
        }

        for (var i = 0; i < 5; i++)
        {
            await WriteBatchAsync();
        }

        Assert.Equal(6, acknowledged.Count);
        foreach (var shard in description.Shards)
        {
            var read = new List<Sluice.V1.Record>();
            await foreach (var record in client.ReadShardAsync(stream, shard.ShardId, StartPosition.TrimHorizon, follow: false))
            {
                read.Add(record);
            }

            var expected = acknowledged[shard.ShardId];
            Assert.Equal(expected.Select(e => e.Sequence), read.Select(r => r.SequenceNumber));
            Assert.Equal(expected.Select(e => e.Data), read.Select(r => r.Data.ToStringUtf8()));
        }
    }

    [Fact]
    public async Task A_put_whose_every_record_belongs_to_a_dead_node_is_a_retriable_error_on_every_face()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        using var http = cluster.CreateHttpClient(tenant.Token);
        var stream = $"dead-{Guid.NewGuid():N}";
        var description = await client.CreateStreamAsync(stream, 1, SingleReplica);
        var victim = cluster.Node(description.Shards[0].LeaderNode);
        await client.PutRecordsAsync(stream, [new PutRecordsEntry { PartitionKey = "k", Data = ByteString.CopyFromUtf8("before") }]);

        try
        {
            await victim.KillAsync();
            var grpcError = await Assert.ThrowsAsync<RpcException>(() =>
                client.PutRecordsAsync(stream, [new PutRecordsEntry { PartitionKey = "k", Data = ByteString.CopyFromUtf8("lost?") }]));
            Assert.Equal(StatusCode.Unavailable, grpcError.StatusCode);
            Assert.True(Sluice.Client.SluiceClient.IsRetriable(grpcError));

            using var restPut = await http.PostAsJsonAsync($"/v1/streams/{stream}/records", new { records = new[] { new { partitionKey = "k", data = "eA==" } } });
            await Problem.AssertAsync(restPut, HttpStatusCode.ServiceUnavailable, "retry");
            Assert.NotNull(restPut.Headers.RetryAfter);
        }
        finally
        {
            victim.Start();
        }

        await victim.WaitHealthyAsync(RestartTimeout);
        GetRecordsResponse? read = null;
        await Wait.UntilAsync(async () =>
        {
            try
            {
                read = await client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = description.Shards[0].ShardId, Position = StartPosition.TrimHorizon });
                return true;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                return false;
            }
        }, RestartTimeout, () => "the restarted node to serve reads");
        Assert.Equal(["before"], read!.Records.Select(r => r.Data.ToStringUtf8()));
    }
}
