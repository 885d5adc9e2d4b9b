using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sluice.Controller;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Metadata;

namespace Sluice.IntegrationTests.Controller;

/// <summary>
/// The controllers embedded in real storage-node processes: one is active; kill -9 of a shard
/// leader's node moves leadership to an in-sync follower with the next leader epoch, and kill -9 of
/// the active controller's node hands control to another within the lease. Only metadata is
/// asserted: data replication is not assumed.
/// </summary>
[Collection(ControllerClusterCollection.Name)]
public sealed class ControllerFailoverTests(ControllerClusterFixture cluster)
{
    // Node lease (3 s) + lock retry (1 s) + ticks, with room for a loaded machine.
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RestartTimeout = TimeSpan.FromSeconds(60);

    private ServiceProvider Metadata() => new ServiceCollection().AddLogging().AddSluiceMetadata(cluster.MetadataConnectionString)
        .AddSingleton<ControllerStatus>().BuildServiceProvider();

    private async Task<string> ActiveControllerAsync(ControllerStatus status)
    {
        string? active = null;
        await Wait.UntilAsync(async () => (active = await status.GetActiveControllerIdAsync()) is not null, FailoverTimeout, () => "an active controller");
        return active!;
    }

    private async Task RestartAsync(string nodeId)
    {
        var node = cluster.Node(nodeId);
        node.Start();
        await node.WaitHealthyAsync(RestartTimeout);
        await cluster.WaitForLiveNodesAsync(3, RestartTimeout);
    }

    [Fact]
    public async Task Killing_the_leaders_node_elects_an_in_sync_follower_with_the_next_leader_epoch()
    {
        await using var services = Metadata();
        var active = await ActiveControllerAsync(services.GetRequiredService<ControllerStatus>());
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        var name = $"failover-{Guid.NewGuid():N}";
        var created = await client.CreateStreamAsync(name, 3, new Sluice.Client.CreateStreamOptions { ReplicationFactor = 3, MinInSyncReplicas = 2 });
        Assert.Equal(3, created.ReplicationFactor);

        // A leader that is not the active controller, so this test is about the node alone.
        var shard = created.Shards.First(s => s.LeaderNode != active);
        Assert.Equal(3, shard.Isr.Count);
        var victim = shard.LeaderNode;
        var index = Sluice.Core.ShardId.TryParse(shard.ShardId, out var parsed) ? parsed : throw new InvalidOperationException(shard.ShardId);
        var streamId = await StreamIdAsync(name);
        var catalog = services.GetRequiredService<StreamCatalog>();
        var before = (await catalog.FindShardAsync(streamId, index))!;

        await cluster.Node(victim).KillAsync();
        try
        {
            ShardAssignment? after = null;
            await Wait.UntilAsync(async () =>
            {
                after = await catalog.FindShardAsync(streamId, index);
                return after is { LeaderNodeId: { } leader } && leader != victim;
            }, FailoverTimeout, () => $"a new leader of {shard.ShardId} other than {victim}; now {after}");

            Assert.Equal(before.LeaderEpoch + 1, after!.LeaderEpoch);
            Assert.DoesNotContain(victim, after.Isr);
            Assert.Contains(after.LeaderNodeId!, after.Isr);
            Assert.Equal(after.Isr.Length, after.IsrNodeEpochs.Length);

            // The first in-sync replica in replica order was chosen.
            Assert.Equal(before.Replicas.First(r => r != victim), after.LeaderNodeId);

            // Every other shard the victim followed lost it from its ISR; the ISR is never empty.
            await Wait.UntilAsync(async () =>
            {
                var shards = await Task.WhenAll(created.Shards.Select((_, i) => catalog.FindShardAsync(streamId, i)));
                return shards.All(s => s is not null && !s.Isr.Contains(victim) && s.Isr.Length > 0 && s.LeaderNodeId != victim);
            }, FailoverTimeout, () => $"{victim} out of every ISR of {name}");
        }
        finally
        {
            await RestartAsync(victim);
        }
    }

    [Fact]
    public async Task Exactly_one_controller_is_active_and_another_takes_over_when_it_dies()
    {
        await using var services = Metadata();
        var status = services.GetRequiredService<ControllerStatus>();
        var active = await ActiveControllerAsync(status);
        Assert.Contains(active, cluster.Nodes.Select(n => n.Name));
        Assert.Equal(1, await HoldersAsync());

        await cluster.Node(active).KillAsync();
        try
        {
            string? next = null;
            await Wait.UntilAsync(async () => (next = await status.GetActiveControllerIdAsync()) is { } id && id != active,
                FailoverTimeout, () => $"another controller than {active}; now {next ?? "none"}");
            Assert.Contains(next!, cluster.Nodes.Where(n => n.IsRunning).Select(n => n.Name));
            Assert.Equal(1, await HoldersAsync());
        }
        finally
        {
            await RestartAsync(active);
        }
    }

    private async Task<long> HoldersAsync()
    {
        await using var connection = new NpgsqlConnection(cluster.MetadataConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid::bigint = @hi AND objid::bigint = @lo " +
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", connection);
        query.Parameters.AddWithValue("hi", ControllerStatus.AdvisoryLockKey >> 32);
        query.Parameters.AddWithValue("lo", ControllerStatus.AdvisoryLockKey & 0xFFFF_FFFF);
        return (long)(await query.ExecuteScalarAsync())!;
    }

    private async Task<long> StreamIdAsync(string name)
    {
        await using var connection = new NpgsqlConnection(cluster.MetadataConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT id FROM streams WHERE name = @name", connection);
        query.Parameters.AddWithValue("name", name);
        return (long)(await query.ExecuteScalarAsync())!;
    }
}
