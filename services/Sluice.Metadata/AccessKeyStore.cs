using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sluice.Core;
using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>
/// Creates, finds, lists, disables and deletes tenants' access keys for the Kinesis API. Secrets
/// are stored encrypted (<see cref="SecretProtector"/>, bound to the key id) and handed out in
/// plain only twice: once to the owner on creation, and to the signature verifier through
/// <see cref="FindActiveAsync"/>, which serves from a short-lived in-memory cache so the request
/// path does not query PostgreSQL per request. Owner operations are scoped by tenant: another
/// tenant's key answers exactly like a missing one.
/// </summary>
public sealed partial class AccessKeyStore
{
    /// <summary>Length of an access key id.</summary>
    public const int AccessKeyIdLength = 20;

    /// <summary>Length of a secret access key (as AWS's).</summary>
    public const int SecretLength = 40;

    /// <summary>The longest description a key may carry.</summary>
    public const int MaxDescriptionLength = 256;

    /// <summary>Every Sluice access key id starts with this (AWS's start with <c>AKIA</c>).</summary>
    public const string AccessKeyIdPrefix = "SLU";

    private const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const int SecretRandomBytes = SecretLength / 4 * 3;
    private const int MaxCreateAttempts = 5;

    // Associated data of a key's ciphertext: a purpose label and the key id, so that neither a
    // ciphertext moved to another key's row nor one made for another purpose decrypts.
    private const string AssociatedDataPrefix = "sluice/access-key/";

    private readonly IDbContextFactory<MetadataDbContext> _contexts;
    private readonly SecretProtector _protector;
    private readonly AccessKeyStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<AccessKeyStore> _logger;
    private readonly ConcurrentDictionary<string, CacheEntry> _cache = new(StringComparer.Ordinal);

    /// <summary>Creates the store; <paramref name="options"/> default to <see cref="AccessKeyStoreOptions.Default"/>.</summary>
    public AccessKeyStore(IDbContextFactory<MetadataDbContext> contexts, SecretProtector protector, TimeProvider timeProvider,
        ILogger<AccessKeyStore> logger, AccessKeyStoreOptions? options = null)
    {
        _contexts = contexts;
        _protector = protector;
        _timeProvider = timeProvider;
        _logger = logger;
        _options = options ?? AccessKeyStoreOptions.Default;
        _options.Validate();
    }

    /// <summary>True when <paramref name="accessKeyId"/> has the shape of an access key id (20 of A–Z, 0–9).</summary>
    public static bool IsWellFormedId(ReadOnlySpan<char> accessKeyId)
    {
        if (accessKeyId.Length != AccessKeyIdLength)
        {
            return false;
        }

        foreach (var c in accessKeyId)
        {
            if (!char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Creates an active key for the tenant and returns it with its secret: the only time the
    /// secret is available in plain to anyone but the verifier. With <paramref name="principalId"/>
    /// the key acts as that service account of the tenant (<see cref="SluiceErrorCode.NotFound"/>
    /// when the tenant has no such service account); without, it acts as the tenant's administrator.
    /// </summary>
    public Task<NewAccessKey> CreateAsync(Guid tenantId, string? description, Guid? principalId = null, CancellationToken cancellationToken = default) =>
        CreateAsync(tenantId, description, principalId, alongside: null, cancellationToken);

    /// <summary>
    /// The active key with this id, whose tenant is active too, with its decrypted secret; null
    /// when there is none. Answers (found or not) are cached for
    /// <see cref="AccessKeyStoreOptions.CacheTtl"/> / <see cref="AccessKeyStoreOptions.NegativeCacheTtl"/>,
    /// and concurrent misses for one id share a single query.
    /// </summary>
    public ValueTask<AccessKeyCredentials?> FindActiveAsync(string accessKeyId, CancellationToken cancellationToken = default)
    {
        if (!IsWellFormedId(accessKeyId))
        {
            return ValueTask.FromResult<AccessKeyCredentials?>(null);
        }

        var now = _timeProvider.GetUtcNow().UtcTicks;
        if (_cache.TryGetValue(accessKeyId, out var entry) && !entry.IsExpired(now))
        {
            return entry.Load.IsCompletedSuccessfully
                ? ValueTask.FromResult(entry.Load.Result)
                : new ValueTask<AccessKeyCredentials?>(entry.Load.WaitAsync(cancellationToken));
        }

        var fresh = new CacheEntry();
        if (entry is null ? !_cache.TryAdd(accessKeyId, fresh) : !_cache.TryUpdate(accessKeyId, fresh, entry))
        {
            // Another caller started a load for this id a moment ago: share it.
            return FindActiveAsync(accessKeyId, cancellationToken);
        }

        ShedIfFull(now);
        // The query is shared by every caller waiting for this id, so no one caller's token cancels
        // it; LoadAsync completes the entry whatever happens and so never faults itself.
        _ = LoadAsync(accessKeyId, fresh);
        return new ValueTask<AccessKeyCredentials?>(fresh.Load.WaitAsync(cancellationToken));
    }

    /// <summary>The tenant's keys, newest first, without secrets.</summary>
    public async Task<IReadOnlyList<AccessKeyInfo>> ListAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        return await db.AccessKeys.AsNoTracking()
            .Where(k => k.TenantId == tenantId)
            .OrderByDescending(k => k.CreatedAt).ThenBy(k => k.Id)
            .Select(k => new AccessKeyInfo(k.Id, k.TenantId, k.Description, k.Status, k.CreatedAt, k.LastUsedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Activates or deactivates one of the tenant's keys; false when the tenant has no such key.
    /// Takes effect here at once and on other gateways within <see cref="AccessKeyStoreOptions.CacheTtl"/>.
    /// </summary>
    public async Task<bool> SetStatusAsync(Guid tenantId, string accessKeyId, AccessKeyStatus status, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(status))
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, $"'{status}' is not an access key status.");
        }

        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        var updated = await db.AccessKeys
            .Where(k => k.Id == accessKeyId && k.TenantId == tenantId)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.Status, status), cancellationToken);
        _cache.TryRemove(accessKeyId, out _);
        return updated == 1;
    }

    /// <summary>
    /// Deletes one of the tenant's keys; false when the tenant has no such key. Takes effect here
    /// at once and on other gateways within <see cref="AccessKeyStoreOptions.CacheTtl"/>.
    /// </summary>
    public async Task<bool> DeleteAsync(Guid tenantId, string accessKeyId, CancellationToken cancellationToken = default)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        var deleted = await db.AccessKeys
            .Where(k => k.Id == accessKeyId && k.TenantId == tenantId)
            .ExecuteDeleteAsync(cancellationToken);
        _cache.TryRemove(accessKeyId, out _);
        _pendingUses.TryRemove(accessKeyId, out _);
        return deleted == 1;
    }

    private async Task LoadAsync(string accessKeyId, CacheEntry entry)
    {
        try
        {
            var found = await QueryActiveAsync(accessKeyId);
            var ttl = found is null ? _options.NegativeCacheTtl : _options.CacheTtl;
            entry.ExpiresAt = (_timeProvider.GetUtcNow() + ttl).UtcTicks;
            entry.Complete(found);
        }
        catch (Exception ex)
        {
            // Failures are not cached: the next caller tries PostgreSQL again.
            entry.ExpiresAt = long.MinValue;
            _cache.TryRemove(KeyValuePair.Create(accessKeyId, entry));
            entry.Fail(ex);
        }
    }

    private async Task<AccessKeyCredentials?> QueryActiveAsync(string accessKeyId)
    {
        await using var db = await _contexts.CreateDbContextAsync();
        var row = await db.AccessKeys.AsNoTracking()
            .Where(k => k.Id == accessKeyId && k.Status == AccessKeyStatus.Active)
            .Join(db.Tenants.AsNoTracking().Where(t => t.Status == TenantStatus.Active),
                k => k.TenantId, t => t.Id, (k, t) => new { k.EncryptedSecret, k.PrincipalId, Tenant = t })
            .SingleOrDefaultAsync();
        if (row is null)
        {
            return null;
        }

        Principal? principal = null;
        if (row.PrincipalId is { } principalId)
        {
            principal = await db.Principals.AsNoTracking().SingleOrDefaultAsync(p => p.Id == principalId);
            if (principal is null || principal.Disabled)
            {
                // The key of a disabled service account is refused like an unknown one.
                return null;
            }
        }

        string secret;
        try
        {
            secret = UnprotectSecret(accessKeyId, row.EncryptedSecret);
        }
        catch (CryptographicException)
        {
            // A wrong or missing master key, or a tampered row: the key cannot be used, and the
            // operator must hear of it. The key id is not secret; nothing of the secret is logged.
            LogUndecryptable(_logger, accessKeyId, row.EncryptedSecret.Length > 0 ? row.EncryptedSecret[0] : 0);
            return null;
        }

        return new AccessKeyCredentials(accessKeyId, row.Tenant, secret, principal);
    }

    private byte[] ProtectSecret(string accessKeyId, string secret)
    {
        Span<byte> plain = stackalloc byte[SecretLength];
        try
        {
            Encoding.ASCII.GetBytes(secret, plain);
            return _protector.Protect(plain, AssociatedData(accessKeyId));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private string UnprotectSecret(string accessKeyId, byte[] encrypted)
    {
        var plain = _protector.Unprotect(encrypted, AssociatedData(accessKeyId));
        try
        {
            return Encoding.ASCII.GetString(plain);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private static byte[] AssociatedData(string accessKeyId) => Encoding.ASCII.GetBytes(AssociatedDataPrefix + accessKeyId);

    private static string NewAccessKeyId() => string.Create(AccessKeyIdLength, 0, static (chars, _) =>
    {
        AccessKeyIdPrefix.CopyTo(chars);
        RandomNumberGenerator.GetItems(Base32Alphabet, chars[AccessKeyIdPrefix.Length..]);
    });

    private static string NewSecret()
    {
        Span<byte> random = stackalloc byte[SecretRandomBytes];
        RandomNumberGenerator.Fill(random);
        var secret = Convert.ToBase64String(random);
        CryptographicOperations.ZeroMemory(random);
        return secret;
    }

    private void ShedIfFull(long now)
    {
        if (_cache.Count <= _options.MaxCachedKeys)
        {
            return;
        }

        foreach (var (id, entry) in _cache)
        {
            if (entry.IsExpired(now))
            {
                _cache.TryRemove(KeyValuePair.Create(id, entry));
            }
        }

        if (_cache.Count > _options.MaxCachedKeys)
        {
            // Flooded with distinct ids faster than they expire: start over rather than grow.
            _cache.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The stored secret of access key {AccessKeyId} does not decrypt (master key version {KeyVersion}); the key cannot be used until Sluice:Security holds that master key")]
    private static partial void LogUndecryptable(ILogger logger, string accessKeyId, int keyVersion);

    /// <summary>One cached answer of <see cref="FindActiveAsync"/>, or the query that will give it.</summary>
    private sealed class CacheEntry
    {
        private readonly TaskCompletionSource<AccessKeyCredentials?> _load = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _expiresAt = long.MaxValue;

        public Task<AccessKeyCredentials?> Load => _load.Task;

        /// <summary>UTC ticks; <see cref="long.MaxValue"/> while the query runs.</summary>
        public long ExpiresAt
        {
            get => Volatile.Read(ref _expiresAt);
            set => Volatile.Write(ref _expiresAt, value);
        }

        public bool IsExpired(long nowTicks) => nowTicks >= ExpiresAt;

        public void Complete(AccessKeyCredentials? found) => _load.TrySetResult(found);

        public void Fail(Exception error) => _load.TrySetException(error);
    }
}
