using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Metadata;
using Sluice.Schemas;

namespace Sluice.Gateway.Schemas;

/// <summary>
/// The gateway's copy of what bound streams' records are checked against: per tenant and subject a
/// <see cref="SubjectSnapshot"/>, and per tenant and schema id the parsed schema (ids are never reused, so a parsed
/// schema never goes stale). A put to a bound stream finds its snapshot here without a database round trip; a missing
/// or expired one is loaded once however many puts wait for it. A snapshot is dropped the moment the registry announces
/// a change of its subject (<see cref="SchemaChangeListener"/>), everything when the listener reconnected and may have
/// missed one, and <see cref="GatewayOptions.SchemaCacheTtl"/> is the fallback. When the registry cannot be read, an
/// expired snapshot is still used (no change can be made meanwhile: the registry lives in the same database); with
/// none, the load fails with <see cref="SluiceErrorCode.Unavailable"/> and the records are refused, never let through
/// unchecked.
/// </summary>
public sealed partial class SchemaCache : IDisposable
{
    // Parsed schemas kept at most: beyond it the map starts over (they are re-parsed as used).
    private const int MaxParsedSchemas = 10_000;

    private readonly ConcurrentDictionary<(Guid TenantId, string Subject), Entry> _subjects = new();
    private readonly ConcurrentDictionary<(Guid TenantId, string Subject), Task<SubjectSnapshot>> _loads = new();
    private readonly ConcurrentDictionary<(Guid TenantId, int Id), ParsedSchema> _parsed = new();
    private readonly ISchemaSource _source;
    private readonly Func<SchemaType, string, ParsedSchema> _parse;
    private readonly Func<TimeSpan> _ttl;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SchemaChangeListener? _changes;

    // Bumped by every announced change: a load that read PostgreSQL before a change does not keep what it read, so it
    // cannot outlive the change.
    private long _generation;

    public SchemaCache(
        SchemaRegistryStore store, IOptions<GatewayOptions> options, TimeProvider timeProvider, ILogger<SchemaCache> logger, SchemaChangeListener? changes = null)
        : this(new RegistrySchemaSource(store), SchemaFormats.Parse, () => options.Value.SchemaCacheTtl, timeProvider, logger, changes)
    {
    }

    internal SchemaCache(
        ISchemaSource source, Func<SchemaType, string, ParsedSchema> parse, Func<TimeSpan> ttl, TimeProvider timeProvider, ILogger logger, SchemaChangeListener? changes = null)
    {
        _source = source;
        _parse = parse;
        _ttl = ttl;
        _timeProvider = timeProvider;
        _logger = logger;
        _changes = changes;
        if (changes is not null)
        {
            changes.Changed += OnSchemaChanged;
            changes.Reset += OnReset;
        }
    }

    public void Dispose()
    {
        if (_changes is not null)
        {
            _changes.Changed -= OnSchemaChanged;
            _changes.Reset -= OnReset;
        }
    }

    /// <summary>
    /// The subject's snapshot: from the cache while fresh (synchronously), else loaded. Throws
    /// <see cref="SluiceException"/> (<see cref="SluiceErrorCode.Unavailable"/>) when it cannot be loaded and none is cached.
    /// </summary>
    public ValueTask<SubjectSnapshot> GetAsync(Guid tenantId, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var key = (tenantId, subject);
        var hasEntry = _subjects.TryGetValue(key, out var entry);
        if (hasEntry)
        {
            var ttl = _ttl();
            var age = _timeProvider.GetUtcNow() - entry!.FetchedAt;
            if (age < ttl)
            {
                // Refresh ahead, off the request path, so a busy stream never waits on PostgreSQL.
                if (age > ttl / 2 && !_loads.ContainsKey(key))
                {
                    _ = RefreshInBackgroundAsync(key);
                }

                return new ValueTask<SubjectSnapshot>(entry.Snapshot);
            }
        }

        return new ValueTask<SubjectSnapshot>(LoadOrStaleAsync(key, hasEntry ? entry : null, cancellationToken));
    }

    /// <summary>
    /// The tenant's schema with <paramref name="schemaId"/>, parsed, whichever subject it is registered under (for decoding
    /// records): both null when the tenant has no schema with that id, <c>Unusable</c> set when the stored schema cannot
    /// be used here. Throws <see cref="SluiceException"/> (<see cref="SluiceErrorCode.Unavailable"/>) when the registry
    /// cannot be read.
    /// </summary>
    public async ValueTask<(ParsedSchema? Schema, string? Unusable)> GetSchemaAsync(Guid tenantId, int schemaId, CancellationToken cancellationToken = default)
    {
        if (_parsed.TryGetValue((tenantId, schemaId), out var parsed))
        {
            return (parsed, null);
        }

        (string SchemaType, string Schema)? stored;
        try
        {
            stored = await _source.GetSchemaAsync(tenantId, schemaId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Unavailable($"schema id {schemaId}", ex);
        }

        return stored is { } found ? Parse(tenantId, schemaId, found.SchemaType, found.Schema) : (null, null);
    }

    /// <summary>Drops the subject's snapshot: the registry announced a change of it.</summary>
    internal void OnSchemaChanged(SchemaChange change)
    {
        Interlocked.Increment(ref _generation);
        var key = (change.TenantId, change.Subject);
        _subjects.TryRemove(key, out _);
        // A load under way may have read the subject before the change: later callers start their own.
        _loads.TryRemove(key, out _);
    }

    /// <summary>Drops every snapshot: the listener reconnected and may have missed changes.</summary>
    internal void OnReset()
    {
        Interlocked.Increment(ref _generation);
        _subjects.Clear();
        _loads.Clear();
    }

    private async Task RefreshInBackgroundAsync((Guid TenantId, string Subject) key)
    {
        try
        {
            await LoadAsync(key);
        }
        catch (SluiceException)
        {
            // Best effort: the cached snapshot serves until it expires, then a put loads in line (or uses it while the registry is away).
        }
    }

    private async Task<SubjectSnapshot> LoadOrStaleAsync((Guid TenantId, string Subject) key, Entry? stale, CancellationToken cancellationToken)
    {
        try
        {
            return await LoadAsync(key).WaitAsync(cancellationToken);
        }
        catch (SluiceException ex) when (stale is not null && ex.Code == SluiceErrorCode.Unavailable)
        {
            LogServingStale(_logger, key.Subject, key.TenantId);
            return stale.Snapshot;
        }
    }

    /// <summary>The load of the subject under way, or a new one: one database read however many callers wait.</summary>
    private Task<SubjectSnapshot> LoadAsync((Guid TenantId, string Subject) key)
    {
        while (true)
        {
            if (_loads.TryGetValue(key, out var running))
            {
                return running;
            }

            var load = new TaskCompletionSource<SubjectSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_loads.TryAdd(key, load.Task))
            {
                _ = RunLoadAsync(key, load);
                return load.Task;
            }
        }
    }

    private async Task RunLoadAsync((Guid TenantId, string Subject) key, TaskCompletionSource<SubjectSnapshot> load)
    {
        var generation = Interlocked.Read(ref _generation);
        try
        {
            // Not the caller's token: the load is shared, and the database's own timeouts bound it.
            var versions = await _source.GetLiveVersionsAsync(key.TenantId, key.Subject, CancellationToken.None);
            var live = new LiveSchemaVersion[versions.Count];
            for (var i = 0; i < live.Length; i++)
            {
                var version = versions[i];
                var (schema, unusable) = Parse(key.TenantId, version.SchemaId, version.SchemaType, version.Schema);
                live[i] = schema is not null
                    ? new LiveSchemaVersion(key.Subject, version.Version, version.SchemaId, schema)
                    : new LiveSchemaVersion(key.Subject, version.Version, version.SchemaId, version.SchemaType, unusable!);
            }

            var snapshot = new SubjectSnapshot(key.Subject, live);
            if (Interlocked.Read(ref _generation) == generation)
            {
                var entry = new Entry(snapshot, _timeProvider.GetUtcNow());
                _subjects[key] = entry;
                if (Interlocked.Read(ref _generation) != generation)
                {
                    // A change came in between: what was read may predate it.
                    _subjects.TryRemove(KeyValuePair.Create(key, entry));
                }
            }

            // Its callers asked before the change (if any) was announced: they get what was read.
            load.SetResult(snapshot);
        }
        catch (Exception ex)
        {
            load.SetException(Unavailable($"subject '{key.Subject}'", ex));
        }
        finally
        {
            _loads.TryRemove(KeyValuePair.Create(key, load.Task));
        }
    }

    /// <summary>Parses (or finds parsed) a stored schema: the schema, or null and why it cannot be used.</summary>
    private (ParsedSchema? Schema, string? Unusable) Parse(Guid tenantId, int schemaId, string schemaType, string text)
    {
        if (_parsed.TryGetValue((tenantId, schemaId), out var parsed))
        {
            return (parsed, null);
        }

        if (!SchemaTypes.TryParse(schemaType, out var type))
        {
            return (null, $"its type '{schemaType}' is not a schema type");
        }

        try
        {
            parsed = _parse(type, text);
        }
        catch (Exception ex) when (ex is SchemaParseException or NotSupportedException)
        {
            LogUnusable(_logger, schemaId, tenantId, ex.Message);
            return (null, ex.Message);
        }

        if (_parsed.Count >= MaxParsedSchemas)
        {
            _parsed.Clear();
        }

        return (_parsed.GetOrAdd((tenantId, schemaId), parsed), null);
    }

    private SluiceException Unavailable(string what, Exception ex)
    {
        LogLoadFailed(_logger, what, ex.Message);
        return new SluiceException(SluiceErrorCode.Unavailable,
            $"The schemas of {what} cannot be read: the metadata store is unavailable. Records of streams bound to a subject are not written unchecked; retry later.", ex);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not load the schemas of {What}: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string what, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The registry is unavailable: checking records against the expired schemas of subject {Subject} of tenant {TenantId}")]
    private static partial void LogServingStale(ILogger logger, string subject, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Schema id {SchemaId} of tenant {TenantId} is stored but cannot be used to check records: {Reason}")]
    private static partial void LogUnusable(ILogger logger, int schemaId, Guid tenantId, string reason);

    private sealed record Entry(SubjectSnapshot Snapshot, DateTimeOffset FetchedAt);
}
