using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Quotas;

/// <summary>
/// A tenant's byte limits and its streams' (from PostgreSQL), cached per tenant and re-read in the background every
/// <see cref="QuotaOptions.LimitsRefreshInterval"/>, so a change made through any gateway applies everywhere within that
/// time; this gateway's own admin endpoints drop the entry at once. Requests never wait for PostgreSQL except for a
/// tenant's first, and keep the last limits read while PostgreSQL is unavailable.
/// </summary>
public sealed partial class QuotaLimitsCache(
    IDbContextFactory<MetadataDbContext> contexts, IOptions<QuotaOptions> options, TimeProvider time, ILogger<QuotaLimitsCache> logger)
{
    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();

    /// <summary>The limits that apply to <paramref name="tenant"/>'s requests now.</summary>
    public ValueTask<TenantLimits> GetAsync(Tenant tenant, CancellationToken cancellationToken = default)
    {
        var now = time.GetTimestamp();
        if (_entries.TryGetValue(tenant.Id, out var entry))
        {
            if (time.GetElapsedTime(entry.ReadAt, now) >= options.Value.LimitsRefreshInterval && entry.TryStartRefresh())
            {
                _ = RefreshAsync(tenant.Id, entry);
            }

            return ValueTask.FromResult(entry.Limits);
        }

        return new ValueTask<TenantLimits>(LoadAsync(tenant, cancellationToken));
    }

    /// <summary>The tenant's limits if they are cached (stale or not).</summary>
    public bool TryGetCached(Guid tenantId, out TenantLimits limits)
    {
        if (_entries.TryGetValue(tenantId, out var entry))
        {
            limits = entry.Limits;
            return true;
        }

        limits = null!;
        return false;
    }

    /// <summary>Forgets the tenant's limits so that the next request reads them again (after an admin change here).</summary>
    public void Invalidate(Guid tenantId) => _entries.TryRemove(tenantId, out _);

    private async Task<TenantLimits> LoadAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        TenantLimits limits;
        try
        {
            limits = await ReadAsync(tenant.Id, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // PostgreSQL is away: the tenant's own fields as last read, no stream limits, until it answers.
            LogRefreshFailed(logger, tenant.Id, ex.Message);
            return new TenantLimits(tenant.IngressBytesPerSecond, tenant.EgressBytesPerSecond, TenantLimits.NoStreams);
        }

        _entries[tenant.Id] = new Entry(limits, time.GetTimestamp());
        return limits;
    }

    private async Task RefreshAsync(Guid tenantId, Entry entry)
    {
        try
        {
            var limits = await ReadAsync(tenantId, CancellationToken.None);
            _entries.TryUpdate(tenantId, new Entry(limits, time.GetTimestamp()), entry);
        }
        catch (Exception ex)
        {
            LogRefreshFailed(logger, tenantId, ex.Message);
            entry.RefreshFailed(time.GetTimestamp());
        }
    }

    private async Task<TenantLimits> ReadAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tenant = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId)
            .Select(t => new { t.IngressBytesPerSecond, t.EgressBytesPerSecond })
            .SingleOrDefaultAsync(cancellationToken);
        var streams = await db.Streams.AsNoTracking()
            .Where(s => s.TenantId == tenantId && (s.IngressBytesPerSecond != null || s.EgressBytesPerSecond != null))
            .Select(s => new { s.Id, s.IngressBytesPerSecond, s.EgressBytesPerSecond })
            .ToListAsync(cancellationToken);
        var byStream = streams.Count == 0
            ? TenantLimits.NoStreams
            : streams.ToDictionary(s => s.Id, s => new StreamLimits(s.IngressBytesPerSecond, s.EgressBytesPerSecond));
        return new TenantLimits(tenant?.IngressBytesPerSecond, tenant?.EgressBytesPerSecond, byStream);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the quotas of tenant {TenantId}: {Reason}; the last ones read stay in force")]
    private static partial void LogRefreshFailed(ILogger logger, Guid tenantId, string reason);

    private sealed class Entry(TenantLimits limits, long readAt)
    {
        private int _refreshing;

        public TenantLimits Limits { get; } = limits;

        public long ReadAt { get; private set; } = readAt;

        public bool TryStartRefresh() => Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0;

        /// <summary>Waits another interval before the next attempt.</summary>
        public void RefreshFailed(long now)
        {
            ReadAt = now;
            Volatile.Write(ref _refreshing, 0);
        }
    }
}
