using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Sluice.Metadata.Model;

namespace Sluice.Metadata;

public sealed partial class SchemaRegistryStore
{
    /// <summary>
    /// Deletes one version of the subject (<c>DELETE /subjects/{subject}/versions/{version}</c>); null <paramref name="version"/>
    /// is the latest. Soft: the version is hidden and no longer checked for compatibility (40406 when it already is). Permanent:
    /// only a soft-deleted version (40407), whose row goes, and with it its schema when no other version uses it. Returns the
    /// version deleted. The version number is never given again.
    /// </summary>
    public async Task<int> DeleteVersionAsync(Guid tenantId, string subject, int? version, bool permanent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockTenantAsync(db, tenantId, exclusive: permanent, cancellationToken);
        await LockSubjectAsync(db, tenantId, subject, cancellationToken);
        var (subjectConfig, tenantConfig) = await SettingsAsync(db, tenantId, subject, cancellationToken);
        DemandWritable(subject, subjectConfig, tenantConfig);

        var versions = await db.SubjectVersions
            .Where(v => v.TenantId == tenantId && v.Subject == subject)
            .OrderBy(v => v.Version)
            .ToListAsync(cancellationToken);
        if (versions.Count == 0 || (!permanent && versions.TrueForAll(v => v.Deleted)))
        {
            throw SchemaRegistryException.SubjectNotFound(subject);
        }

        var row = version is { } wanted
            ? versions.Find(v => v.Version == wanted)
            : permanent ? versions[^1] : versions.FindLast(v => !v.Deleted);
        if (row is null)
        {
            throw SchemaRegistryException.VersionNotFound(subject, version!.Value.ToString(CultureInfo.InvariantCulture));
        }

        if (!permanent && row.Deleted)
        {
            throw new SchemaRegistryException(SchemaRegistryErrorCode.VersionSoftDeleted,
                $"Subject '{subject}' Version {row.Version} was soft deleted. Set permanent=true to delete permanently");
        }

        if (permanent && !row.Deleted)
        {
            throw new SchemaRegistryException(SchemaRegistryErrorCode.VersionNotSoftDeleted,
                $"Subject '{subject}' Version {row.Version} was not deleted first before being permanently deleted");
        }

        await KeepCounterAsync(db, tenantId, subject, versions[^1].Version, cancellationToken);
        if (permanent)
        {
            db.SubjectVersions.Remove(row);
            await db.SaveChangesAsync(cancellationToken);
            await RemoveOrphanSchemasAsync(db, tenantId, [row.SchemaId], cancellationToken);
        }
        else
        {
            row.Deleted = true;
            await db.SaveChangesAsync(cancellationToken);
        }

        await new SchemaChange(tenantId, subject).NotifyAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return row.Version;
    }

    /// <summary>
    /// Deletes the subject (<c>DELETE /subjects/{subject}</c>): soft, every live version (40404 when they all already are);
    /// permanent, only after a soft delete (40405 while a version is live): its version rows, its settings, and the schemas no
    /// other version uses. Returns the versions deleted. Its version numbers are never given again.
    /// </summary>
    public async Task<IReadOnlyList<int>> DeleteSubjectAsync(Guid tenantId, string subject, bool permanent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockTenantAsync(db, tenantId, exclusive: permanent, cancellationToken);
        await LockSubjectAsync(db, tenantId, subject, cancellationToken);
        var (subjectConfig, tenantConfig) = await SettingsAsync(db, tenantId, subject, cancellationToken);
        DemandWritable(subject, subjectConfig, tenantConfig);

        var versions = await db.SubjectVersions
            .Where(v => v.TenantId == tenantId && v.Subject == subject)
            .OrderBy(v => v.Version)
            .ToListAsync(cancellationToken);
        if (versions.Count == 0)
        {
            throw SchemaRegistryException.SubjectNotFound(subject);
        }

        var live = versions.FindAll(v => !v.Deleted);
        if (!permanent && live.Count == 0)
        {
            throw new SchemaRegistryException(SchemaRegistryErrorCode.SubjectSoftDeleted,
                $"Subject '{subject}' was soft deleted. Set permanent=true to delete permanently");
        }

        if (permanent && live.Count > 0)
        {
            throw new SchemaRegistryException(SchemaRegistryErrorCode.SubjectNotSoftDeleted,
                $"Subject '{subject}' was not deleted first before being permanently deleted");
        }

        await KeepCounterAsync(db, tenantId, subject, versions[^1].Version, cancellationToken);
        List<int> deleted;
        if (permanent)
        {
            deleted = versions.ConvertAll(v => v.Version);
            db.SubjectVersions.RemoveRange(versions);
            if (subjectConfig is not null)
            {
                db.SubjectConfigs.Remove(subjectConfig);
            }

            await db.SaveChangesAsync(cancellationToken);
            await RemoveOrphanSchemasAsync(db, tenantId, versions.ConvertAll(v => v.SchemaId), cancellationToken);
        }
        else
        {
            deleted = live.ConvertAll(v => v.Version);
            foreach (var row in live)
            {
                row.Deleted = true;
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        await new SchemaChange(tenantId, subject).NotifyAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>Makes sure the subject's counter holds at least <paramref name="highest"/> before rows that carry it may go.</summary>
    private static async Task KeepCounterAsync(MetadataDbContext db, Guid tenantId, string subject, int highest, CancellationToken cancellationToken)
    {
        var counter = await db.SchemaSubjects.SingleOrDefaultAsync(s => s.TenantId == tenantId && s.Subject == subject, cancellationToken);
        if (counter is null)
        {
            db.SchemaSubjects.Add(new SchemaSubject { TenantId = tenantId, Subject = subject, LastVersion = highest });
        }
        else if (counter.LastVersion < highest)
        {
            counter.LastVersion = highest;
        }
    }
}
