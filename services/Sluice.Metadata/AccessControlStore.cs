using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Sluice.Core;
using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>
/// Reads and changes a tenant's principals and ACL entries. Every change is audited (<see cref="AuditLog"/>) and announced on
/// <see cref="Channel"/> (payload: the tenant id) in the same transaction, so gateways drop what they cached for the tenant the
/// moment it commits. Everything is scoped by tenant: another tenant's principal or entry answers like a missing one.
/// </summary>
public sealed class AccessControlStore(IDbContextFactory<MetadataDbContext> contexts, AuditLog audit, TimeProvider timeProvider)
{
    /// <summary>The LISTEN/NOTIFY channel of ACL and principal changes; the payload is the tenant id.</summary>
    public const string Channel = "sluice_acl";

    /// <summary>Everything the gateway needs to authorise the tenant's callers.</summary>
    public async Task<AccessControlSnapshot> LoadAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var principals = await db.Principals.AsNoTracking().Where(p => p.TenantId == tenantId).ToListAsync(cancellationToken);
        var entries = await db.AclEntries.AsNoTracking().Where(a => a.TenantId == tenantId).ToListAsync(cancellationToken);
        return new AccessControlSnapshot(tenantId, principals, entries);
    }

    /// <summary>The tenant's principals in name order.</summary>
    public async Task<IReadOnlyList<Principal>> ListPrincipalsAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Principals.AsNoTracking().Where(p => p.TenantId == tenantId).OrderBy(p => p.Name).ToListAsync(cancellationToken);
    }

    /// <summary>The tenant's principal with this name, or null.</summary>
    public async Task<Principal?> FindPrincipalAsync(Guid tenantId, string name, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Principals.AsNoTracking().SingleOrDefaultAsync(p => p.TenantId == tenantId && p.Name == name, cancellationToken);
    }

    /// <summary>Creates a principal; <see cref="SluiceErrorCode.AlreadyExists"/> when the tenant has one of that name.</summary>
    public async Task<Principal> CreatePrincipalAsync(
        Guid tenantId, string name, PrincipalKind kind, string? issuer, string description, IReadOnlyCollection<string> roles, AuditActor actor,
        CancellationToken cancellationToken = default)
    {
        var principal = new Principal
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenantId,
            Name = name,
            Kind = kind,
            Issuer = issuer,
            Description = description,
            Roles = [.. roles],
            CreatedAt = timeProvider.GetUtcNow(),
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Principals.Add(principal);
        audit.Add(db, actor, "principal.create", name, tenantId, new { kind = kind.ToString(), issuer, description, roles });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw new SluiceException(SluiceErrorCode.AlreadyExists, $"Principal '{name}' already exists.", ex);
        }

        await AnnounceAsync(db, tenantId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return principal;
    }

    /// <summary>Changes what is given of a principal's roles, description and disabled flag; null when the tenant has no such principal.</summary>
    public async Task<Principal?> UpdatePrincipalAsync(
        Guid tenantId, string name, IReadOnlyCollection<string>? roles, string? description, bool? disabled, AuditActor actor,
        CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var principal = await db.Principals.SingleOrDefaultAsync(p => p.TenantId == tenantId && p.Name == name, cancellationToken);
        if (principal is null)
        {
            return null;
        }

        if (roles is not null)
        {
            principal.Roles = [.. roles];
        }

        if (description is not null)
        {
            principal.Description = description;
        }

        if (disabled is { } flag)
        {
            principal.Disabled = flag;
        }

        audit.Add(db, actor, "principal.update", name, tenantId, new { roles, description, disabled });
        await db.SaveChangesAsync(cancellationToken);
        await AnnounceAsync(db, tenantId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return principal;
    }

    /// <summary>
    /// Deletes a principal with its access keys (by cascade) and the ACL entries that name it; false when the tenant has no such principal.
    /// </summary>
    public async Task<bool> DeletePrincipalAsync(Guid tenantId, string name, AuditActor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var deleted = await db.Principals.Where(p => p.TenantId == tenantId && p.Name == name).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            return false;
        }

        // A principal created later under the same name must not inherit these.
        var entries = await db.AclEntries.Where(a => a.TenantId == tenantId && a.Principal == name).ExecuteDeleteAsync(cancellationToken);
        audit.Add(db, actor, "principal.delete", name, tenantId, new { aclEntriesRemoved = entries });
        await db.SaveChangesAsync(cancellationToken);
        await AnnounceAsync(db, tenantId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The tenant's ACL entries, of one principal name (or <c>*</c>) when given, ordered by principal, pattern, operation and effect.</summary>
    public async Task<IReadOnlyList<AclEntry>> ListAclsAsync(Guid tenantId, string? principal = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.AclEntries.AsNoTracking().Where(a => a.TenantId == tenantId);
        if (principal is not null)
        {
            query = query.Where(a => a.Principal == principal);
        }

        return await query.OrderBy(a => a.Principal).ThenBy(a => a.StreamPattern).ThenBy(a => a.Operation).ThenBy(a => a.Effect).ToListAsync(cancellationToken);
    }

    /// <summary>Adds an ACL entry; <see cref="SluiceErrorCode.AlreadyExists"/> when the same entry exists.</summary>
    public async Task<AclEntry> AddAclAsync(
        Guid tenantId, string principal, AclEffect effect, AclOperation operation, string streamPattern, AuditActor actor,
        CancellationToken cancellationToken = default)
    {
        var entry = new AclEntry
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenantId,
            Principal = principal,
            Effect = effect,
            Operation = operation,
            StreamPattern = streamPattern,
            CreatedAt = timeProvider.GetUtcNow(),
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.AclEntries.Add(entry);
        audit.Add(db, actor, "acl.add", $"{principal} {effect} {operation} {streamPattern}", tenantId,
            new { id = entry.Id, principal, effect = effect.ToString(), operation = operation.ToString(), streamPattern });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw new SluiceException(SluiceErrorCode.AlreadyExists,
                $"The tenant already has the entry {effect} {operation} on '{streamPattern}' for '{principal}'.", ex);
        }

        await AnnounceAsync(db, tenantId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return entry;
    }

    /// <summary>Removes an ACL entry; false when the tenant has no entry with this id.</summary>
    public async Task<bool> RemoveAclAsync(Guid tenantId, Guid id, AuditActor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var entry = await db.AclEntries.SingleOrDefaultAsync(a => a.TenantId == tenantId && a.Id == id, cancellationToken);
        if (entry is null)
        {
            return false;
        }

        db.AclEntries.Remove(entry);
        audit.Add(db, actor, "acl.remove", $"{entry.Principal} {entry.Effect} {entry.Operation} {entry.StreamPattern}", tenantId,
            new { id, principal = entry.Principal, effect = entry.Effect.ToString(), operation = entry.Operation.ToString(), streamPattern = entry.StreamPattern });
        await db.SaveChangesAsync(cancellationToken);
        await AnnounceAsync(db, tenantId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Queues the notification; PostgreSQL delivers it when (and only if) the transaction commits.</summary>
    private static Task AnnounceAsync(MetadataDbContext db, Guid tenantId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync(
            "SELECT pg_notify(@channel, @payload)",
            [
                new NpgsqlParameter("channel", NpgsqlDbType.Text) { Value = Channel },
                new NpgsqlParameter("payload", NpgsqlDbType.Text) { Value = tenantId.ToString("D") },
            ],
            cancellationToken);
}
