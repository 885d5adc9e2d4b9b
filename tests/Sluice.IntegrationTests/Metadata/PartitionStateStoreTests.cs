using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.IntegrationTests.Metadata;

/// <summary>PartitionStateStore's compare-and-set and NOTIFY, and ShardChangeListener, against the real PostgreSQL.</summary>
[Collection(MetadataDatabaseCollection.Name)]
public sealed class PartitionStateStoreTests(MetadataDatabaseFixture database)
{
    private static readonly TimeSpan NotifyTimeout = TimeSpan.FromSeconds(20);

    private PartitionStateStore Store() => new(database.Contexts);

    /// <summary>A stream of one shard on three fresh nodes (unique ids), all in sync at epoch 1 (as CreateAsync leaves it).</summary>
    private async Task<(long StreamId, string[] Nodes)> CreateShardAsync()
    {
        var tenant = await database.CreateTenantAsync("psst");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string[] nodes = [$"a-{suffix}", $"b-{suffix}", $"c-{suffix}"];
        foreach (var node in nodes)
        {
            await database.ExecuteAsync(
                "INSERT INTO storage_nodes (id, address, rack, node_epoch, started_at, heartbeat_at) VALUES (@id, 'http://127.0.0.1:1', NULL, 1, now(), now())", ("id", node));
        }

        var streamId = await database.ScalarAsync<long>(
            "INSERT INTO streams (tenant_id, name, status, shard_count, retention_hours, replication_factor, min_in_sync_replicas, default_acks, created_at, mode, encryption, tags) " +
            "VALUES (@tenant, @name, 'Active', 1, 24, 3, 2, 'All', now(), 'Provisioned', 'None', '{}') RETURNING id",
            ("tenant", tenant), ("name", $"s-{suffix}"));
        await database.ExecuteAsync(
            "INSERT INTO shards (stream_id, shard_index, starting_hash_key, ending_hash_key, state, replicas, isr, isr_node_epochs, leader_node_id, leader_epoch, partition_epoch, created_at) " +
            "VALUES (@stream, 0, '0', '340282366920938463463374607431768211455', 'Open', @replicas, @replicas, '{1,1,1}', @leader, 1, 1, now())",
            ("stream", streamId), ("replicas", nodes), ("leader", nodes[0]));
        return (streamId, nodes);
    }

    [Fact]
    public async Task Leader_shrinks_and_expands_the_ISR_by_compare_and_set_bumping_the_partition_epoch()
    {
        var (streamId, nodes) = await CreateShardAsync();
        var store = Store();

        var shrunk = await store.TryChangeIsrAsync(streamId, 0, nodes[0], 1, 1, [new(nodes[0], 1), new(nodes[2], 1)]);
        Assert.NotNull(shrunk);
        Assert.Equal([nodes[0], nodes[2]], shrunk.Isr);
        Assert.Equal([1L, 1L], shrunk.IsrNodeEpochs);
        Assert.Equal((1, 2, nodes[0]), (shrunk.LeaderEpoch, shrunk.PartitionEpoch, shrunk.LeaderNodeId));
        Assert.Equal((3, 2, AckMode.All), (shrunk.ReplicationFactor, shrunk.MinInSyncReplicas, shrunk.DefaultAcks));

        // Stale partition epoch, wrong leader, stale leader epoch: refused, nothing changes.
        Assert.Null(await store.TryChangeIsrAsync(streamId, 0, nodes[0], 1, 1, [new(nodes[0], 1)]));
        Assert.Null(await store.TryChangeIsrAsync(streamId, 0, nodes[1], 1, 2, [new(nodes[1], 1)]));
        Assert.Null(await store.TryChangeIsrAsync(streamId, 0, nodes[0], 0, 2, [new(nodes[0], 1)]));

        // A node without a replica can never join.
        Assert.Null(await store.TryChangeIsrAsync(streamId, 0, nodes[0], 1, 2, [new(nodes[0], 1), new("elsewhere", 1)]));

        var expanded = await store.TryChangeIsrAsync(streamId, 0, nodes[0], 1, 2, [new(nodes[0], 1), new(nodes[2], 1), new(nodes[1], 4)]);
        Assert.NotNull(expanded);
        Assert.Equal([nodes[0], nodes[2], nodes[1]], expanded.Isr);
        Assert.Equal([1L, 1L, 4L], expanded.IsrNodeEpochs);
        Assert.Equal(3, expanded.PartitionEpoch);

        var read = await new StreamCatalog(database.Contexts, CatalogOptions.Default, TimeProvider.System).FindShardAsync(streamId, 0);
        Assert.NotNull(read);
        Assert.Equal(expanded, read with { Isr = expanded.Isr, IsrNodeEpochs = expanded.IsrNodeEpochs, Replicas = expanded.Replicas });
        Assert.Equal(expanded.Isr, read.Isr);
    }

    [Fact]
    public async Task An_ISR_without_its_leader_or_empty_is_refused_before_reaching_the_database()
    {
        var (streamId, nodes) = await CreateShardAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => Store().TryChangeIsrAsync(streamId, 0, nodes[0], 1, 1, [new(nodes[1], 1)]));
        await Assert.ThrowsAsync<ArgumentException>(() => Store().TryChangeIsrAsync(streamId, 0, nodes[0], 1, 1, []));
        await Assert.ThrowsAsync<ArgumentException>(() => Store().TryElectLeaderAsync(streamId, 0, nodes[0], 1, 1, nodes[1], [new(nodes[2], 1)]));
    }

    [Fact]
    public async Task Elections_bump_the_leader_epoch_and_take_a_shard_offline_and_back()
    {
        var (streamId, nodes) = await CreateShardAsync();
        var store = Store();

        var elected = await store.TryElectLeaderAsync(streamId, 0, nodes[0], 1, 1, nodes[1], [new(nodes[1], 1), new(nodes[2], 1)]);
        Assert.NotNull(elected);
        Assert.Equal((nodes[1], 2, 2), (elected.LeaderNodeId, elected.LeaderEpoch, elected.PartitionEpoch));

        // The old leader's view is stale now.
        Assert.Null(await store.TryElectLeaderAsync(streamId, 0, nodes[0], 1, 1, nodes[0], [new(nodes[0], 1)]));

        var offline = await store.TryElectLeaderAsync(streamId, 0, nodes[1], 2, 2, null, elected.Isr.Zip(elected.IsrNodeEpochs, (n, e) => new IsrMember(n, e)).ToList());
        Assert.NotNull(offline);
        Assert.Equal((null, 3, 3), (offline.LeaderNodeId, offline.LeaderEpoch, offline.PartitionEpoch));
        Assert.Equal([nodes[1], nodes[2]], offline.Isr);

        var revived = await store.TryElectLeaderAsync(streamId, 0, null, 3, 3, nodes[2], [new(nodes[2], 2)]);
        Assert.NotNull(revived);
        Assert.Equal((nodes[2], 4, 4), (revived.LeaderNodeId, revived.LeaderEpoch, revived.PartitionEpoch));
        Assert.Equal([2L], revived.IsrNodeEpochs);
    }

    [Fact]
    public async Task A_change_is_announced_to_listeners_after_their_reset()
    {
        var (streamId, nodes) = await CreateShardAsync();
        await using var services = new ServiceCollection().AddLogging().AddSluiceMetadata(database.ConnectionString).AddShardChangeListener().BuildServiceProvider();
        var listener = services.GetRequiredService<ShardChangeListener>();
        var changes = new System.Collections.Concurrent.ConcurrentQueue<ShardChange>();
        var resets = 0;
        listener.Changed += changes.Enqueue;
        listener.Reset += () => Interlocked.Increment(ref resets);
        await listener.StartAsync(CancellationToken.None);
        try
        {
            await Wait.UntilAsync(() => listener.IsListening && Volatile.Read(ref resets) > 0, NotifyTimeout, "the listener is listening");
            var failed = await Store().TryChangeIsrAsync(streamId, 0, nodes[0], 1, 99, [new(nodes[0], 1)]);
            Assert.Null(failed);
            var changed = await services.GetRequiredService<PartitionStateStore>().TryChangeIsrAsync(streamId, 0, nodes[0], 1, 1, [new(nodes[0], 1)]);
            Assert.NotNull(changed);
            await Wait.UntilAsync(() => changes.Any(c => c.StreamId == streamId), NotifyTimeout, "the change notification");
            Assert.Equal([new ShardChange(streamId, 0, 1, 2)], changes.Where(c => c.StreamId == streamId));
        }
        finally
        {
            await listener.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [InlineData("12/3/4/5", true)]
    [InlineData("12/3/4", false)]
    [InlineData("x/3/4/5", false)]
    [InlineData("-1/3/4/5", false)]
    public void Payloads_round_trip_and_garbage_is_refused(string payload, bool valid)
    {
        Assert.Equal(valid, ShardChange.TryParse(payload, out var change));
        if (valid)
        {
            Assert.Equal(payload, change.ToPayload());
        }
    }

    [Fact]
    public async Task Created_streams_start_with_every_replica_in_sync_at_its_node_epoch_and_refuse_too_many_replicas()
    {
        var tenantId = await database.CreateTenantAsync("rf");
        var tenant = new Tenant { Id = tenantId, Name = $"rf-{tenantId:N}", AccountId = "123456789012", Status = TenantStatus.Active };
        var catalog = new StreamCatalog(database.Contexts, CatalogOptions.Default, TimeProvider.System);
        await CreateShardAsync();
        var live = await database.ScalarAsync<long>("SELECT count(*) FROM storage_nodes WHERE heartbeat_at > now() - interval '10 seconds'");

        var stream = await catalog.CreateAsync(tenant, $"rf-{Guid.NewGuid():N}", 2, 24, replicationFactor: 2, minInSyncReplicas: 1, defaultAcks: AckMode.Leader);
        Assert.Equal((2, 1, AckMode.Leader), (stream.ReplicationFactor, stream.MinInSyncReplicas, stream.DefaultAcks));
        foreach (var shard in stream.Shards)
        {
            Assert.Equal(shard.Replicas, shard.Isr);
            var epochs = new List<long>();
            foreach (var node in shard.Replicas)
            {
                epochs.Add(await database.ScalarAsync<long>("SELECT node_epoch FROM storage_nodes WHERE id = @id", ("id", node)));
            }

            Assert.Equal(epochs, shard.IsrNodeEpochs);
        }

        var tooMany = await Assert.ThrowsAsync<Sluice.Core.SluiceException>(() => catalog.CreateAsync(tenant, $"rf-{Guid.NewGuid():N}", 1, 24, replicationFactor: (int)live + 1));
        Assert.Equal(Sluice.Core.SluiceErrorCode.InvalidArgument, tooMany.Code);
        Assert.Contains("live storage node", tooMany.Message, StringComparison.Ordinal);
        var minTooHigh = await Assert.ThrowsAsync<Sluice.Core.SluiceException>(() => catalog.CreateAsync(tenant, $"rf-{Guid.NewGuid():N}", 1, 24, replicationFactor: 1, minInSyncReplicas: 2));
        Assert.Equal(Sluice.Core.SluiceErrorCode.InvalidArgument, minTooHigh.Code);
    }
}
