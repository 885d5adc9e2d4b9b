using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Admin;

/// <summary>Reads the cluster overview of GET /admin/v1/cluster from the metadata store in one snapshot's worth of queries.</summary>
public sealed class ClusterOverviewReader(IDbContextFactory<MetadataDbContext> contexts, IOptions<GatewayOptions> options, TimeProvider timeProvider)
{
    private const string Healthy = "healthy";
    private const string Lagging = "lagging";
    private const string Down = "down";

    public async Task<ClusterOverviewDto> ReadAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var nodes = await db.StorageNodes.AsNoTracking().OrderBy(n => n.Id).ToListAsync(cancellationToken);
        var shards = await db.Shards.AsNoTracking()
            .Where(s => s.State == ShardState.Open && s.Stream!.Status != StreamStatus.Deleting)
            .Select(s => new { s.Stream!.TenantId, s.Replicas, s.Isr, s.LeaderNodeId })
            .ToListAsync(cancellationToken);
        var streams = await db.Streams.AsNoTracking()
            .GroupBy(s => s.TenantId)
            .Select(g => new { TenantId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.TenantId, g => g.Count, cancellationToken);
        var tenants = await db.Tenants.AsNoTracking()
            .Where(t => streams.Keys.Contains(t.Id))
            .OrderBy(t => EF.Functions.Collate(t.Name, "C"))
            .ToListAsync(cancellationToken);
        var tenantCount = await db.Tenants.CountAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var now = timeProvider.GetUtcNow();
        var cutoff = now - options.Value.NodeLease;
        var live = nodes.Where(n => n.HeartbeatAt > cutoff).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var nodeDtos = nodes.Select(n =>
        {
            var replicas = shards.Count(s => s.Replicas.Contains(n.Id));
            var lagging = shards.Count(s => s.Replicas.Contains(n.Id) && !s.Isr.Contains(n.Id));
            var isLive = live.Contains(n.Id);
            return new ClusterOverviewNodeDto(
                n.Id, n.Address, n.Rack, isLive, !isLive ? Down : lagging > 0 ? Lagging : Healthy,
                (long)Math.Max(0, (now - n.HeartbeatAt).TotalMilliseconds), n.NodeEpoch,
                replicas, shards.Count(s => s.LeaderNodeId == n.Id), lagging);
        }).ToList();
        var shardsByTenant = shards.GroupBy(s => s.TenantId).ToDictionary(g => g.Key, g => g.Count());
        var tenantDtos = tenants.Select(t => new ClusterOverviewTenantDto(
            t.Id, t.Name, TenantDto.StatusName(t.Status), streams.GetValueOrDefault(t.Id), shardsByTenant.GetValueOrDefault(t.Id))).ToList();
        var totals = new ClusterOverviewTotalsDto(
            nodes.Count, live.Count, tenantCount, streams.Values.Sum(), shards.Count,
            shards.Count(s => s.LeaderNodeId is null || !live.Contains(s.LeaderNodeId)),
            shards.Count(s => s.Isr.Length < s.Replicas.Length));
        return new ClusterOverviewDto(now, totals, nodeDtos, tenantDtos);
    }
}
