using Microsoft.EntityFrameworkCore;
using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>Who made an administrative change and from where: taken from the request by the admin endpoints.</summary>
/// <param name="Name">A principal name (<c>user:…</c>, <c>service:…</c>) or the token subject of a platform admin.</param>
/// <param name="TenantId">The caller's own tenant, when it has one.</param>
/// <param name="RemoteAddress">The request's remote IP address.</param>
public sealed record AuditActor(string Name, Guid? TenantId, string? RemoteAddress);

/// <summary>
/// The append-only log of administrative changes (<c>audit_log</c>). <see cref="Add"/> stages an entry on the caller's
/// context so that it commits (or not) with the change it describes; <see cref="ListAsync"/> reads it back newest first.
/// </summary>
public sealed class AuditLog(IDbContextFactory<MetadataDbContext> contexts, TimeProvider timeProvider)
{
    /// <summary>The most entries one <see cref="ListAsync"/> call returns.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>
    /// Stages an entry on <paramref name="db"/>; it is written by the caller's next <c>SaveChangesAsync</c>, in the same
    /// transaction as the change. <paramref name="details"/> is serialised as JSON and must never hold a secret.
    /// </summary>
    public AuditEntry Add(MetadataDbContext db, AuditActor actor, string action, string target, Guid? tenantId, object? details = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var entry = new AuditEntry
        {
            At = timeProvider.GetUtcNow(),
            Actor = Truncate(actor.Name, 256),
            ActorTenantId = actor.TenantId,
            TenantId = tenantId,
            Action = action,
            Target = Truncate(target, 512),
            RemoteAddress = actor.RemoteAddress,
            Details = details is null ? null : System.Text.Json.JsonSerializer.Serialize(details, details.GetType()),
        };
        db.AuditLog.Add(entry);
        return entry;
    }

    /// <summary>Writes one entry on its own (for changes made outside a metadata transaction).</summary>
    public async Task RecordAsync(AuditActor actor, string action, string target, Guid? tenantId, object? details = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        Add(db, actor, action, target, tenantId, details);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Entries newest first: of one tenant when <paramref name="tenantId"/> is set (else of all), with ids below
    /// <paramref name="before"/> when set (paging), at most <paramref name="limit"/> (1..<see cref="MaxPageSize"/>).
    /// </summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(Guid? tenantId, long? before, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxPageSize);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.AuditLog.AsNoTracking();
        if (tenantId is { } tenant)
        {
            query = query.Where(e => e.TenantId == tenant);
        }

        if (before is { } id)
        {
            query = query.Where(e => e.Id < id);
        }

        return await query.OrderByDescending(e => e.Id).Take(limit).ToListAsync(cancellationToken);
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}
