using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Routing;

/// <summary>
/// Caches each stream's shard routes (leader node, address, epoch) for a short time, and drops an
/// entry at once when a storage node says it no longer leads a shard.
/// </summary>
public sealed class StreamRouter(StreamCatalog catalog, NodeRegistry nodes, IOptions<GatewayOptions> options, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<(Guid TenantId, string Name), (StreamRoute Route, DateTimeOffset FetchedAt)> _routes = new();
    private readonly ConcurrentDictionary<(Guid TenantId, string Name), byte> _refreshing = new();
    private volatile NodeDirectory? _nodes;

    /// <summary>The route of the tenant's stream; <see cref="SluiceErrorCode.NotFound"/> when there is none.</summary>
    public async ValueTask<StreamRoute> GetAsync(Tenant tenant, string streamName, CancellationToken cancellationToken = default)
    {
        var key = (tenant.Id, streamName);
        var now = timeProvider.GetUtcNow();
        if (_routes.TryGetValue(key, out var cached))
        {
            var age = now - cached.FetchedAt;
            var ttl = StreamLifecycleRules.IsTransitioning(cached.Route.Definition.Status) ? options.Value.PendingRouteTtl : options.Value.RouteTtl;
            if (age < ttl)
            {
                // Refresh ahead, off the request path, so a busy stream never waits on PostgreSQL.
                if (age > ttl / 2 && _refreshing.TryAdd(key, 0))
                {
                    _ = RefreshInBackgroundAsync(tenant, streamName);
                }

                return cached.Route;
            }
        }

        return await RefreshAsync(tenant, streamName, cancellationToken);
    }

    private async Task RefreshInBackgroundAsync(Tenant tenant, string streamName)
    {
        try
        {
            await RefreshAsync(tenant, streamName, CancellationToken.None);
        }
        catch (Exception)
        {
            // Best effort. The next request past the TTL refreshes in line and reports the error (stream gone, PostgreSQL down).
        }
        finally
        {
            _refreshing.TryRemove((tenant.Id, streamName), out _);
        }
    }

    /// <summary>Re-reads the stream's route from PostgreSQL.</summary>
    public async ValueTask<StreamRoute> RefreshAsync(Tenant tenant, string streamName, CancellationToken cancellationToken = default)
    {
        var key = (tenant.Id, streamName);
        try
        {
            var definition = await catalog.FindAsync(tenant.Id, streamName, cancellationToken);
            if (definition is null)
            {
                _routes.TryRemove(key, out _);
                throw new SluiceException(SluiceErrorCode.NotFound, $"Stream {streamName} under account {tenant.AccountId} not found.");
            }

            var directory = await GetNodesAsync(forceRefresh: false, cancellationToken);
            if (definition.Shards.Any(s => s.LeaderNodeId is { } id && !directory.Addresses.ContainsKey(id)))
            {
                directory = await GetNodesAsync(forceRefresh: true, cancellationToken);
            }

            var shards = definition.Shards
                .OrderBy(s => s.ShardIndex)
                .Select(s => new ShardRoute(
                    s.ShardIndex,
                    ShardId.Format(s.ShardIndex),
                    UInt128.Parse(s.StartingHashKey, CultureInfo.InvariantCulture),
                    UInt128.Parse(s.EndingHashKey, CultureInfo.InvariantCulture),
                    s.State == ShardState.Open,
                    s.LeaderNodeId,
                    s.LeaderNodeId is { } leader ? directory.Addresses.GetValueOrDefault(leader) : null,
                    s.LeaderEpoch,
                    s.ParentShardIndex,
                    s.AdjacentParentShardIndex,
                    s.EndingOffset))
                .ToArray();
            var route = new StreamRoute(definition, shards);
            _routes[key] = (route, timeProvider.GetUtcNow());
            return route;
        }
        catch (Exception ex) when (MetadataDatabase.IsTransient(ex))
        {
            throw new SluiceException(SluiceErrorCode.Unavailable, "The metadata store is unavailable; retry later.", ex);
        }
    }

    /// <summary>Forgets a stream's route (after it was deleted, or a node said it is stale).</summary>
    public void Invalidate(Guid tenantId, string streamName) => _routes.TryRemove((tenantId, streamName), out _);

    private async ValueTask<NodeDirectory> GetNodesAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        var current = _nodes;
        var now = timeProvider.GetUtcNow();
        if (!forceRefresh && current is not null && now - current.FetchedAt < options.Value.RouteTtl)
        {
            return current;
        }

        var all = await nodes.ListAsync(cancellationToken);
        var fresh = new NodeDirectory(all.ToDictionary(n => n.Id, n => n.Address, StringComparer.Ordinal), now);
        _nodes = fresh;
        return fresh;
    }

    private sealed record NodeDirectory(Dictionary<string, string> Addresses, DateTimeOffset FetchedAt);
}
