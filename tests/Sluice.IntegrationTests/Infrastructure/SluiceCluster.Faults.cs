using Npgsql;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>Fault injection on the cluster's processes, disks and metadata connection, and what the metadata says about it.</summary>
public partial class SluiceCluster
{
    private static readonly TimeSpan RestartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A storage node by its position (0-based) in <see cref="Nodes"/>: <c>node-{index + 1}</c>.</summary>
    internal HostProcess NodeAt(int index) => _nodes[index];

    /// <summary>Where a storage node keeps its replica of a shard: <c>{data dir}/{stream id}/{shard index}</c>, as LogStore lays it out.</summary>
    internal string ReplicaDirectory(string nodeId, long streamId, int shardIndex) =>
        Path.Combine(NodeDataDirectory(nodeId), streamId.ToString(System.Globalization.CultureInfo.InvariantCulture), shardIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// kill -9 of the node at <paramref name="index"/> (when running) and a start of the same node:
    /// same id, same data directory, same ports. Waits until it is healthy.
    /// </summary>
    internal async Task RestartNodeAsync(int index)
    {
        var node = _nodes[index];
        await node.KillAsync();
        node.Start();
        await node.WaitHealthyAsync(RestartTimeout);
    }

    /// <summary>Starts a node that was killed or stopped (same id, data directory and ports) and waits until it is healthy.</summary>
    internal static async Task StartAgainAsync(HostProcess node)
    {
        if (!node.IsRunning)
        {
            node.Start();
        }

        await node.WaitHealthyAsync(RestartTimeout);
    }

    /// <summary>
    /// kill -9 of every storage node at once, then a start of each, one after the other in an order
    /// drawn from <paramref name="random"/> (each healthy before the next starts). Returns the order.
    /// </summary>
    internal async Task<IReadOnlyList<string>> KillAllNodesAndRestartInRandomOrderAsync(Random random)
    {
        await Task.WhenAll(_nodes.Select(n => n.KillAsync()));
        var order = _nodes.ToArray();
        random.Shuffle(order);
        foreach (var node in order)
        {
            node.Start();
            await node.WaitHealthyAsync(RestartTimeout);
        }

        return order.Select(n => n.Name).ToList();
    }

    /// <summary>
    /// Cuts PostgreSQL off: every open connection of every host is dropped and new ones are refused
    /// until the returned handle is disposed. That is how the tests model "PostgreSQL restarted":
    /// a real restart also drops every session (and the advisory locks they hold) and refuses
    /// connections while it is down, and this needs no control over the shared test server.
    /// The tests' own probes use <see cref="MetadataConnectionString"/>, which bypasses the proxy.
    /// </summary>
    internal IDisposable BeginMetadataOutage()
    {
        var proxy = MetadataProxy ?? throw new InvalidOperationException("This cluster reaches PostgreSQL directly: create it with proxyMetadata.");
        proxy.Cut();
        return new MetadataOutage(proxy);
    }

    /// <summary>
    /// Undoes whatever a fault test left behind: continues paused hosts, restores the metadata
    /// connection, starts killed nodes and the gateway again, and waits until all are healthy and
    /// every node heartbeats.
    /// </summary>
    internal async Task HealAsync()
    {
        MetadataProxy?.Restore();
        var hosts = Gateway is null ? _nodes : _nodes.Append(Gateway);
        foreach (var host in hosts)
        {
            await host.ResumeAsync();
            if (!host.IsRunning)
            {
                host.Start();
            }
        }

        await Task.WhenAll(hosts.Select(h => h.WaitHealthyAsync(RestartTimeout)));
        await WaitForLiveNodesAsync(_nodes.Count, RestartTimeout);
    }

    /// <summary>The id the metadata store gave a stream of a tenant.</summary>
    internal async Task<long> StreamIdAsync(Guid tenantId, string streamName)
    {
        await using var connection = new NpgsqlConnection(MetadataConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT id FROM streams WHERE tenant_id = @tenant AND name = @name", connection);
        query.Parameters.AddWithValue("tenant", tenantId);
        query.Parameters.AddWithValue("name", streamName);
        return (long)(await query.ExecuteScalarAsync() ?? throw new InvalidOperationException($"No stream {streamName} of tenant {tenantId}."));
    }

    /// <summary>Every shard of a stream as the <c>shards</c> table has it now (read directly, not through the proxy).</summary>
    internal async Task<IReadOnlyList<ShardReplicationState>> ShardStatesAsync(long streamId, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(MetadataConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand(
            "SELECT shard_index, state, leader_node_id, leader_epoch, partition_epoch, replicas, isr FROM shards WHERE stream_id = @stream ORDER BY shard_index",
            connection);
        query.Parameters.AddWithValue("stream", streamId);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        var shards = new List<ShardReplicationState>();
        while (await reader.ReadAsync(cancellationToken))
        {
            shards.Add(new ShardReplicationState(
                reader.GetInt32(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetInt32(3),
                reader.GetInt32(4),
                reader.GetFieldValue<string[]>(5),
                reader.GetFieldValue<string[]>(6)));
        }

        return shards;
    }

    /// <summary>One shard's row of the <c>shards</c> table.</summary>
    internal async Task<ShardReplicationState> ShardStateAsync(long streamId, int shardIndex, CancellationToken cancellationToken = default) =>
        (await ShardStatesAsync(streamId, cancellationToken)).Single(s => s.ShardIndex == shardIndex);

    /// <summary>The node leading a shard, from <c>shards.leader_node_id</c>.</summary>
    internal async Task<HostProcess> ShardLeaderAsync(long streamId, int shardIndex)
    {
        var shard = await ShardStateAsync(streamId, shardIndex);
        return Node(shard.LeaderNodeId ?? throw new InvalidOperationException($"Shard {shardIndex} of stream {streamId} has no leader."));
    }

    /// <summary>
    /// Waits until a shard has a leader other than <paramref name="formerLeader"/> at an epoch above
    /// <paramref name="formerEpoch"/>, and returns that state.
    /// </summary>
    internal async Task<ShardReplicationState> WaitForNewLeaderAsync(long streamId, int shardIndex, string formerLeader, int formerEpoch, TimeSpan timeout)
    {
        ShardReplicationState? state = null;
        await Wait.UntilAsync(async () =>
        {
            state = await ShardStateAsync(streamId, shardIndex);
            return state.LeaderNodeId is { } leader && leader != formerLeader && state.LeaderEpoch > formerEpoch;
        }, timeout, () => $"shard {shardIndex} of stream {streamId} to get a leader other than {formerLeader} above epoch {formerEpoch}; it is {Describe(state)}");
        return state!;
    }

    /// <summary>Waits until <paramref name="nodeId"/> is in the ISR of a shard.</summary>
    internal async Task<ShardReplicationState> WaitForIsrMemberAsync(long streamId, int shardIndex, string nodeId, TimeSpan timeout)
    {
        ShardReplicationState? state = null;
        await Wait.UntilAsync(async () =>
        {
            state = await ShardStateAsync(streamId, shardIndex);
            return state.Isr.Contains(nodeId);
        }, timeout, () => $"{nodeId} to rejoin the ISR of shard {shardIndex} of stream {streamId}; the shard is {Describe(state)}");
        return state!;
    }

    /// <summary>Waits until every replica of every shard of a stream is in its ISR.</summary>
    internal async Task WaitForFullIsrAsync(long streamId, TimeSpan timeout)
    {
        IReadOnlyList<ShardReplicationState> shards = [];
        await Wait.UntilAsync(async () =>
        {
            shards = await ShardStatesAsync(streamId);
            return shards.All(s => s.Replicas.Count > 0 && s.Replicas.All(s.Isr.Contains));
        }, timeout, () => $"every replica of stream {streamId} in its ISR; shards: {string.Join("; ", shards.Select(Describe))}");
    }

    /// <summary>
    /// The storage node running the active controller, or null when no node holds it.
    /// </summary>
    /// <remarks>
    /// Swap point for issue 4: once the controller's identity can be queried (an admin endpoint or
    /// a column), ask that instead. Until then: the controller is chosen by a PostgreSQL advisory
    /// lock, and each host connects with its name as application name (see
    /// <c>WithApplicationName</c>), so the holder is the storage node whose session holds a granted
    /// advisory lock in this cluster's database. Gateways' own advisory locks (one reshard per
    /// stream) are told apart by their application name.
    /// </remarks>
    /// <summary>
    /// The storage node whose embedded controller holds the controller lock (controllers here are named after their
    /// node), or null when none does.
    /// </summary>
    internal async Task<string?> ActiveControllerNodeAsync()
    {
        await using var connection = new NpgsqlConnection(MetadataConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            """
            SELECT a.application_name
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()
              AND l.objsubid = 1 AND l.classid::bigint = @high AND l.objid::bigint = @low
            """,
            connection);
        query.Parameters.AddWithValue("high", Sluice.Controller.ControllerStatus.AdvisoryLockKey >> 32);
        query.Parameters.AddWithValue("low", Sluice.Controller.ControllerStatus.AdvisoryLockKey & 0xFFFF_FFFF);
        var holders = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            holders.Add(reader.GetString(0));
        }

        return holders.Count switch
        {
            0 => null,
            1 when holders[0].StartsWith(Sluice.Controller.ControllerStatus.ApplicationNamePrefix, StringComparison.Ordinal) => holders[0][Sluice.Controller.ControllerStatus.ApplicationNamePrefix.Length..],
            1 => throw new InvalidOperationException($"The controller lock is held by '{holders[0]}', not a controller."),
            _ => throw new InvalidOperationException($"More than one session holds the controller lock: {string.Join(", ", holders)}."),
        };
    }

    private static string Describe(ShardReplicationState? state) =>
        state is null
            ? "unknown"
            : $"shard {state.ShardIndex} leader {state.LeaderNodeId ?? "none"} epoch {state.LeaderEpoch} replicas [{string.Join(",", state.Replicas)}] isr [{string.Join(",", state.Isr)}]";

    private sealed class MetadataOutage(TcpProxy proxy) : IDisposable
    {
        public void Dispose() => proxy.Restore();
    }
}
