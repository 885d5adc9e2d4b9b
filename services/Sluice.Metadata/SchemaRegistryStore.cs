using Microsoft.EntityFrameworkCore;
using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>
/// The tenants' schema registries in PostgreSQL: schemas (<see cref="RegisteredSchema"/>, global stable ids), subject
/// versions (<see cref="SubjectVersion"/>) and settings (<see cref="SubjectConfig"/>). Every read and write is scoped
/// to one tenant: another tenant's subjects and ids answer exactly like missing ones. Every change to a subject is
/// announced with <see cref="SchemaChange"/> in its own transaction.
/// </summary>
public sealed partial class SchemaRegistryStore(IDbContextFactory<MetadataDbContext> contexts, TimeProvider timeProvider)
{
    /// <summary>The longest subject name, in characters.</summary>
    public const int MaxSubjectLength = 255;

    /// <summary>A schema of the tenant by id; null when the tenant has no schema with that id.</summary>
    public async Task<RegisteredSchema?> GetSchemaAsync(Guid tenantId, int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Schemas.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenantId && s.Id == id, cancellationToken);
    }

    /// <summary>The subject's live (not soft-deleted) versions with their schemas, oldest first; empty when it has none.</summary>
    public async Task<IReadOnlyList<SubjectSchema>> GetLiveVersionsAsync(Guid tenantId, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await (
                from v in db.SubjectVersions.AsNoTracking()
                join s in db.Schemas.AsNoTracking() on v.SchemaId equals s.Id
                where v.TenantId == tenantId && v.Subject == subject && !v.Deleted
                orderby v.Version
                select new SubjectSchema(v.Subject, v.Version, v.SchemaId, s.SchemaType, s.Schema, s.References))
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Sets (or with null clears) a subject's compatibility level, or the tenant's with <see cref="SubjectConfig.TenantWide"/>,
    /// and announces the change. <paramref name="compatibility"/> is a level's wire name, already validated by the caller.
    /// </summary>
    public async Task SetCompatibilityAsync(Guid tenantId, string subject, string? compatibility, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Serialised with the subject's other changes, so two first settings of one subject do not both insert its row.
        await LockSubjectAsync(db, tenantId, subject, cancellationToken);
        var row = await db.SubjectConfigs.SingleOrDefaultAsync(c => c.TenantId == tenantId && c.Subject == subject, cancellationToken);
        if (row is null)
        {
            if (compatibility is null)
            {
                return;
            }

            db.SubjectConfigs.Add(new SubjectConfig { TenantId = tenantId, Subject = subject, Compatibility = compatibility });
        }
        else if (compatibility is null && row.Mode is null)
        {
            db.SubjectConfigs.Remove(row);
        }
        else
        {
            row.Compatibility = compatibility;
        }

        await db.SaveChangesAsync(cancellationToken);
        await new SchemaChange(tenantId, subject).NotifyAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The time new rows are stamped with.</summary>
    private DateTimeOffset Now => timeProvider.GetUtcNow();
}
