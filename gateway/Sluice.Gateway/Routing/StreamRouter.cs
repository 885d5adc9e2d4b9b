using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Routing;

/// <summary>
/// Caches each stream's shard routes (leader node, address, epoch) for a short time, and drops an
/// entry at once when a storage node says it no longer leads a shard, or when PostgreSQL announces
/// a change of one of its shards' leader or ISR (<see cref="ShardChangeListener"/>; everything when
/// the listener reconnected and may have missed some). The TTL stays as the fallback.
/// </summary>
public sealed class StreamRouter : IDisposable
{
    private readonly ConcurrentDictionary<(Guid TenantId, string Name), (StreamRoute Route, DateTimeOffset FetchedAt)> _routes = new();
    private readonly ConcurrentDictionary<(Guid TenantId, string Name), byte> _refreshing = new();

    // Stream id → the cache keys holding it (one, unless a name was deleted and reused).
    private readonly ConcurrentDictionary<long, ConcurrentDictionary<(Guid TenantId, string Name), byte>> _keysById = new();
    private readonly StreamCatalog _catalog;
    private readonly NodeRegistry _registry;
    private readonly IOptions<GatewayOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ShardChangeListener? _changes;
    private volatile NodeDirectory? _nodes;

    // Bumped by every announced change: a refresh that read PostgreSQL before a change stores its
    // route as already expired, so it cannot outlive the change.
    private long _generation;

    public StreamRouter(StreamCatalog catalog, NodeRegistry nodes, IOptions<GatewayOptions> options, TimeProvider timeProvider, ShardChangeListener? changes = null)
    {
        _catalog = catalog;
        _registry = nodes;
        _options = options;
        _timeProvider = timeProvider;
        _changes = changes;
        if (changes is not null)
        {
            changes.Changed += OnShardChanged;
            changes.Reset += OnReset;
        }
    }

    public void Dispose()
    {
        if (_changes is not null)
        {
            _changes.Changed -= OnShardChanged;
            _changes.Reset -= OnReset;
        }
    }

    private void OnShardChanged(ShardChange change)
    {
        Interlocked.Increment(ref _generation);
        if (_keysById.TryRemove(change.StreamId, out var keys))
        {
            foreach (var key in keys.Keys)
            {
                _routes.TryRemove(key, out _);
            }
        }
    }

    private void OnReset()
    {
        Interlocked.Increment(ref _generation);
        _keysById.Clear();
        _routes.Clear();
        _nodes = null;
    }

    /// <summary>The route of the tenant's stream; <see cref="SluiceErrorCode.NotFound"/> when there is none.</summary>
    public async ValueTask<StreamRoute> GetAsync(Tenant tenant, string streamName, CancellationToken cancellationToken = default)
    {
        var key = (tenant.Id, streamName);
        var now = _timeProvider.GetUtcNow();
        if (_routes.TryGetValue(key, out var cached))
        {
            var age = now - cached.FetchedAt;
            var ttl = StreamLifecycleRules.IsTransitioning(cached.Route.Definition.Status) ? _options.Value.PendingRouteTtl : _options.Value.RouteTtl;
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

        try
        {
            return await RefreshAsync(tenant, streamName, cancellationToken);
        }
        catch (SluiceException ex) when (ex.Code == SluiceErrorCode.Unavailable
            && cached.Route is not null
            && !StreamLifecycleRules.IsTransitioning(cached.Route.Definition.Status)
            && now - cached.FetchedAt < _options.Value.StaleRouteLimit)
        {
            // PostgreSQL away: no leader, shard or stream can change without it, so the route last read is still
            // the truth and records keep flowing (a node that disagrees answers not-leader, which refreshes in line
            // and fails retriably). Asked again on the next call.
            return cached.Route;
        }
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
        var generation = Interlocked.Read(ref _generation);
        try
        {
            var definition = await _catalog.FindAsync(tenant.Id, streamName, cancellationToken);
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
                    s.EndingOffset,
                    s.Isr))
                .ToArray();
            var route = new StreamRoute(definition, shards);
            _keysById.GetOrAdd(definition.Id, _ => new()).TryAdd(key, 0);
            var fetchedAt = Interlocked.Read(ref _generation) == generation ? _timeProvider.GetUtcNow() : DateTimeOffset.MinValue;
            _routes[key] = (route, fetchedAt);
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
        var now = _timeProvider.GetUtcNow();
        if (!forceRefresh && current is not null && now - current.FetchedAt < _options.Value.RouteTtl)
        {
            return current;
        }

        var all = await _registry.ListAsync(cancellationToken);
        var fresh = new NodeDirectory(all.ToDictionary(n => n.Id, n => n.Address, StringComparer.Ordinal), now);
        _nodes = fresh;
        return fresh;
    }

    private sealed record NodeDirectory(Dictionary<string, string> Addresses, DateTimeOffset FetchedAt);
}
