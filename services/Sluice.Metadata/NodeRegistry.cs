using Microsoft.EntityFrameworkCore;
using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>Storage-node registration and heartbeat leases.</summary>
public sealed class NodeRegistry(IDbContextFactory<MetadataDbContext> contexts, TimeProvider timeProvider)
{
    /// <summary>
    /// Registers a starting node (or re-registers a restarted one) and returns its new node epoch.
    /// </summary>
    public async Task<long> RegisterAsync(string nodeId, string address, string? rack, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();

        // One statement, so that concurrent starts of the same id cannot both win an epoch.
        var epochs = await db.Database.SqlQuery<long>($"""
            INSERT INTO storage_nodes (id, address, rack, node_epoch, started_at, heartbeat_at)
            VALUES ({nodeId}, {address}, {rack}, 1, {now}, {now})
            ON CONFLICT (id) DO UPDATE
               SET address = EXCLUDED.address, rack = EXCLUDED.rack,
                   node_epoch = storage_nodes.node_epoch + 1,
                   started_at = EXCLUDED.started_at, heartbeat_at = EXCLUDED.heartbeat_at
            RETURNING node_epoch AS "Value"
            """).ToListAsync(cancellationToken);
        return epochs[0];
    }

    /// <summary>Renews the node's lease; false when the node was re-registered by a newer incarnation.</summary>
    public async Task<bool> HeartbeatAsync(string nodeId, long nodeEpoch, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        var updated = await db.StorageNodes
            .Where(n => n.Id == nodeId && n.NodeEpoch == nodeEpoch)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.HeartbeatAt, now), cancellationToken);
        return updated == 1;
    }

    /// <summary>Every registered node, live or not.</summary>
    public async Task<IReadOnlyList<StorageNodeRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.StorageNodes.AsNoTracking().OrderBy(n => n.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Nodes whose heartbeat is younger than <paramref name="lease"/>.</summary>
    public async Task<IReadOnlyList<StorageNodeRecord>> ListLiveAsync(TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var cutoff = timeProvider.GetUtcNow() - lease;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.StorageNodes.AsNoTracking()
            .Where(n => n.HeartbeatAt > cutoff)
            .OrderBy(n => n.Id)
            .ToListAsync(cancellationToken);
    }
}
