using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Metadata;

namespace Sluice.Gateway.Auth;

/// <summary>
/// Each tenant's principals and ACL entries, held in memory. A change is seen at once: <see cref="AccessControlListener"/> reports
/// the tenant (NOTIFY sent in the transaction of the change) and its snapshot is read again on next use; a snapshot older than
/// <see cref="AuthOptions.AccessControlCacheTtl"/> is read again too, in case a notification was lost. Concurrent misses for one tenant
/// share one query. While PostgreSQL is unreachable the last snapshot read keeps being used (as cached routes are); a tenant never
/// read before is then <see cref="SluiceErrorCode.Unavailable"/>.
/// </summary>
public sealed partial class AccessControlCache
{
    private readonly AccessControlStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _ttl;
    private readonly ILogger<AccessControlCache> _logger;
    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();

    public AccessControlCache(AccessControlStore store, AccessControlListener listener, IOptions<AuthOptions> auth, TimeProvider timeProvider, ILogger<AccessControlCache> logger)
    {
        _store = store;
        _timeProvider = timeProvider;
        _ttl = auth.Value.AccessControlCacheTtl;
        _logger = logger;
        listener.Changed += Invalidate;
        listener.Reset += InvalidateAll;
    }

    /// <summary>The tenant's snapshot, read again when it changed or is older than the TTL.</summary>
    public ValueTask<AccessControlSnapshot> GetAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        var now = _timeProvider.GetUtcNow();
        if (_entries.TryGetValue(tenantId, out var entry) && entry.Read is { } read && !entry.Stale && now - read.At < _ttl)
        {
            return ValueTask.FromResult(read.Snapshot);
        }

        return new ValueTask<AccessControlSnapshot>(LoadAsync(tenantId, entry, cancellationToken));
    }

    /// <summary>Forgets the tenant's snapshot: the next request reads it again.</summary>
    public void Invalidate(Guid tenantId)
    {
        if (_entries.TryGetValue(tenantId, out var entry))
        {
            entry.Stale = true;
        }
    }

    private void InvalidateAll()
    {
        foreach (var entry in _entries.Values)
        {
            entry.Stale = true;
        }
    }

    private async Task<AccessControlSnapshot> LoadAsync(Guid tenantId, Entry? previous, CancellationToken cancellationToken)
    {
        var load = previous?.Load;
        if (load is null || load.IsCompleted)
        {
            // Mark a fresh entry (keeping the last snapshot for outages) before reading, so a change announced while the query
            // runs makes the next request read again.
            var fresh = new Entry { Read = previous?.Read, Stale = true };
            fresh.Load = ReadAsync(tenantId, fresh);
            _entries[tenantId] = fresh;
            load = fresh.Load;
        }

        return await load.WaitAsync(cancellationToken);
    }

    private async Task<AccessControlSnapshot> ReadAsync(Guid tenantId, Entry entry)
    {
        await Task.Yield();
        try
        {
            entry.Stale = false;
            var snapshot = await _store.LoadAsync(tenantId);
            entry.Read = new ReadSnapshot(snapshot, _timeProvider.GetUtcNow());
            return snapshot;
        }
        catch (Exception ex) when (MetadataDatabase.IsTransient(ex))
        {
            entry.Stale = true;
            if (entry.Read is { } last)
            {
                LogServingStale(_logger, tenantId, ex.Message);
                return last.Snapshot;
            }

            throw new SluiceException(SluiceErrorCode.Unavailable, "The metadata store is unavailable; retry later.", ex);
        }
        catch
        {
            entry.Stale = true;
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Authorising tenant {TenantId} with the ACLs read before: the metadata store is unavailable ({Reason})")]
    private static partial void LogServingStale(ILogger logger, Guid tenantId, string reason);

    private sealed record ReadSnapshot(AccessControlSnapshot Snapshot, DateTimeOffset At);

    private sealed class Entry
    {
        private volatile bool _stale;

        private volatile ReadSnapshot? _read;

        public ReadSnapshot? Read
        {
            get => _read;
            set => _read = value;
        }

        public bool Stale
        {
            get => _stale;
            set => _stale = value;
        }

        public Task<AccessControlSnapshot>? Load { get; set; }
    }
}
