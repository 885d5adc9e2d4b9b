using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sluice.Core;
using Sluice.Metadata.Model;

namespace Sluice.Metadata;

// The administration of keys behind /admin/v1/tenants/{tenant}/access-keys: each change runs in one transaction with
// what the caller stages alongside it (its audit entry) and an AccessChange notification, so every gateway drops the
// key from its verifier cache as soon as the change commits rather than after CacheTtl.
public sealed partial class AccessKeyStore
{
    /// <summary>
    /// Creates an active key of the tenant, owned by the service account <paramref name="principalId"/> (null: a tenant
    /// key, which acts as the tenant's administrator), and returns it with its secret: the only time the secret is available
    /// in plain to anyone but the verifier. <paramref name="alongside"/> stages more on the same transaction, given the
    /// new key's id. <see cref="SluiceErrorCode.NotFound"/> when the tenant does not exist or has no such service account.
    /// </summary>
    public async Task<NewAccessKey> CreateAsync(
        Guid tenantId, string? description, Guid? principalId, Action<MetadataDbContext, string>? alongside, CancellationToken cancellationToken = default)
    {
        description = CheckDescription(description);
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        if (principalId is { } owner
            && !await db.Principals.AsNoTracking().AnyAsync(p => p.Id == owner && p.TenantId == tenantId && p.Kind == PrincipalKind.ServiceAccount, cancellationToken))
        {
            throw new SluiceException(SluiceErrorCode.NotFound, $"The tenant has no service account {owner}.");
        }

        return await InsertAsync(db, tenantId, description, principalId, alongside, cancellationToken);
    }

    /// <summary>The tenant's principal with this name (<c>service:…</c> or <c>user:…</c>), the owner a new key names; null when none.</summary>
    public async Task<Principal?> FindPrincipalAsync(Guid tenantId, string name, CancellationToken cancellationToken = default)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        return await db.Principals.AsNoTracking().SingleOrDefaultAsync(p => p.TenantId == tenantId && p.Name == name, cancellationToken);
    }

    /// <summary>The tenant's keys, newest first, with their owners and without secrets.</summary>
    public async Task<IReadOnlyList<AccessKeyDetails>> ListDetailsAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        return await Details(db, tenantId).ToListAsync(cancellationToken);
    }

    /// <summary>One of the tenant's keys, with its owner and without its secret; null when the tenant has no such key.</summary>
    public async Task<AccessKeyDetails?> FindDetailsAsync(Guid tenantId, string accessKeyId, CancellationToken cancellationToken = default)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        return await Details(db, tenantId, accessKeyId).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// Replaces one of the tenant's keys: a new active key with the same owner and description, and the old key
    /// disabled, in one transaction. Null when the tenant has no such key.
    /// </summary>
    public async Task<AccessKeyRotation?> RotateAsync(
        Guid tenantId, string accessKeyId, Action<MetadataDbContext, string>? alongside, CancellationToken cancellationToken = default)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var old = await db.AccessKeys
            .FromSql($"SELECT * FROM access_keys WHERE id = {accessKeyId} AND tenant_id = {tenantId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (old is null)
        {
            return null;
        }

        old.Status = AccessKeyStatus.Inactive;
        await db.SaveChangesAsync(cancellationToken);
        await AccessChange.AccessKey(old.Id).NotifyAsync(db, cancellationToken);
        var created = await InsertAsync(db, tenantId, old.Description, old.PrincipalId, alongside, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        _cache.TryRemove(old.Id, out _);
        return new AccessKeyRotation(created, old.Id);
    }

    /// <summary>
    /// Activates or deactivates one of the tenant's keys; null when the tenant has no such key, else whether the status
    /// changed. When it does, <paramref name="alongside"/> stages more on the same transaction and every gateway drops the key.
    /// </summary>
    public async Task<bool?> SetStatusAsync(
        Guid tenantId, string accessKeyId, AccessKeyStatus status, Action<MetadataDbContext>? alongside, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(status))
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, $"'{status}' is not an access key status.");
        }

        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var key = await db.AccessKeys
            .FromSql($"SELECT * FROM access_keys WHERE id = {accessKeyId} AND tenant_id = {tenantId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (key is null)
        {
            return null;
        }

        if (key.Status == status)
        {
            return false;
        }

        key.Status = status;
        alongside?.Invoke(db);
        await db.SaveChangesAsync(cancellationToken);
        await AccessChange.AccessKey(key.Id).NotifyAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        _cache.TryRemove(key.Id, out _);
        return true;
    }

    /// <summary>
    /// Deletes one of the tenant's keys; false when the tenant has no such key. <paramref name="alongside"/> stages more
    /// on the same transaction, and every gateway drops the key.
    /// </summary>
    public async Task<bool> DeleteAsync(Guid tenantId, string accessKeyId, Action<MetadataDbContext>? alongside, CancellationToken cancellationToken = default)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var key = await db.AccessKeys.SingleOrDefaultAsync(k => k.Id == accessKeyId && k.TenantId == tenantId, cancellationToken);
        if (key is null)
        {
            return false;
        }

        db.AccessKeys.Remove(key);
        alongside?.Invoke(db);
        await db.SaveChangesAsync(cancellationToken);
        await AccessChange.AccessKey(key.Id).NotifyAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        _cache.TryRemove(key.Id, out _);
        _pendingUses.TryRemove(key.Id, out _);
        return true;
    }

    /// <summary>Drops what is cached of one key (it changed, here or on another gateway).</summary>
    public void Invalidate(string accessKeyId) => _cache.TryRemove(accessKeyId, out _);

    /// <summary>Drops what is cached of the tenant's keys, and every negative answer (the tenant was suspended, resumed or deleted).</summary>
    public void InvalidateTenant(Guid tenantId)
    {
        foreach (var (id, entry) in _cache)
        {
            // The tenant's keys, "no such active key" answers (a resumed tenant's keys are among them), and loads still
            // running, which may have read the tenant before the change committed.
            if (!entry.Load.IsCompletedSuccessfully || entry.Load.Result is null || entry.Load.Result.Tenant.Id == tenantId)
            {
                _cache.TryRemove(KeyValuePair.Create(id, entry));
            }
        }
    }

    /// <summary>Drops everything cached (changes may have been missed).</summary>
    public void InvalidateAll() => _cache.Clear();

    private static string CheckDescription(string? description)
    {
        description ??= "";
        if (description.Length > MaxDescriptionLength)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument,
                $"The description is {description.Length} characters long; it must be at most {MaxDescriptionLength}.");
        }

        return description;
    }

    private static IQueryable<AccessKeyDetails> Details(MetadataDbContext db, Guid tenantId, string? accessKeyId = null) =>
        from k in db.AccessKeys.AsNoTracking()
        where k.TenantId == tenantId && (accessKeyId == null || k.Id == accessKeyId)
        join p in db.Principals.AsNoTracking() on k.PrincipalId equals p.Id into owners
        from p in owners.DefaultIfEmpty()
        orderby k.CreatedAt descending, k.Id
        select new AccessKeyDetails(k.Id, k.TenantId, k.Description, k.Status, p == null ? null : p.Name, k.CreatedAt, k.LastUsedAt);

    // Inserts a new key on db (in the caller's transaction, if any), drawing another id on the rare collision.
    private async Task<NewAccessKey> InsertAsync(
        MetadataDbContext db, Guid tenantId, string description, Guid? principalId, Action<MetadataDbContext, string>? alongside, CancellationToken cancellationToken)
    {
        var secret = NewSecret();
        for (var attempt = 1; ; attempt++)
        {
            var id = NewAccessKeyId();
            var key = new AccessKey
            {
                Id = id,
                TenantId = tenantId,
                PrincipalId = principalId,
                Description = description,
                Status = AccessKeyStatus.Active,
                CreatedAt = _timeProvider.GetUtcNow(),
                EncryptedSecret = ProtectSecret(id, secret),
            };
            db.AccessKeys.Add(key);
            alongside?.Invoke(db, id);
            try
            {
                // In the caller's transaction EF wraps this in a savepoint, so a collision leaves the transaction usable.
                await db.SaveChangesAsync(cancellationToken);
                _cache.TryRemove(id, out _);
                return new NewAccessKey(id, tenantId, description, key.CreatedAt, secret);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation })
            {
                throw new SluiceException(SluiceErrorCode.NotFound, $"Tenant {tenantId} or its principal {principalId} does not exist.", ex);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } && attempt < MaxCreateAttempts)
            {
                // 85 random bits collided: forget the rows staged with this id and draw another.
                foreach (var staged in db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).ToList())
                {
                    staged.State = EntityState.Detached;
                }
            }
        }
    }
}
