using Microsoft.EntityFrameworkCore;
using Sluice.Metadata.Model;
using Sluice.Schemas;

namespace Sluice.Metadata;

public sealed partial class SchemaRegistryStore
{
    /// <summary>
    /// The compatibility level of the tenant (<see cref="SubjectConfig.TenantWide"/>: its own or BACKWARD) or of a subject: its own;
    /// when it has none, with <paramref name="defaultToGlobal"/> the tenant's, else 40408 (as Confluent's <c>GET /config/{subject}</c>).
    /// </summary>
    public async Task<CompatibilityLevel> GetCompatibilityAsync(Guid tenantId, string subject, bool defaultToGlobal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var (subjectConfig, tenantConfig) = await SettingsAsync(db, tenantId, subject, cancellationToken);
        if (subject != SubjectConfig.TenantWide && subjectConfig?.Compatibility is null && !defaultToGlobal)
        {
            throw new SchemaRegistryException(SchemaRegistryErrorCode.SubjectCompatibilityNotConfigured,
                $"Subject '{subject}' does not have subject-level compatibility configured");
        }

        return EffectiveCompatibility(subjectConfig, tenantConfig);
    }

    /// <summary>
    /// Removes the subject's (or with <see cref="SubjectConfig.TenantWide"/> the tenant's) compatibility level, so it falls back
    /// to the tenant's (or BACKWARD); returns the level that applied before. 40401 for a subject with neither versions nor settings.
    /// </summary>
    public async Task<CompatibilityLevel> DeleteCompatibilityAsync(Guid tenantId, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        CompatibilityLevel previous;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var (subjectConfig, tenantConfig) = await SettingsAsync(db, tenantId, subject, cancellationToken);
            if (subject != SubjectConfig.TenantWide && subjectConfig is null
                && !await db.SubjectVersions.AnyAsync(v => v.TenantId == tenantId && v.Subject == subject, cancellationToken))
            {
                throw SchemaRegistryException.SubjectNotFound(subject);
            }

            previous = EffectiveCompatibility(subjectConfig, tenantConfig);
        }

        await SetCompatibilityAsync(tenantId, subject, null, cancellationToken);
        return previous;
    }

    /// <summary>
    /// The mode of the tenant (<see cref="SubjectConfig.TenantWide"/>: its own or READWRITE) or of a subject: its own; when it has
    /// none, with <paramref name="defaultToGlobal"/> the tenant's, else 40409.
    /// </summary>
    public async Task<RegistryMode> GetModeAsync(Guid tenantId, string subject, bool defaultToGlobal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var (subjectConfig, tenantConfig) = await SettingsAsync(db, tenantId, subject, cancellationToken);
        if (subject != SubjectConfig.TenantWide && subjectConfig?.Mode is null && !defaultToGlobal)
        {
            throw new SchemaRegistryException(SchemaRegistryErrorCode.SubjectModeNotConfigured, $"Subject '{subject}' does not have subject-level mode configured");
        }

        return EffectiveMode(subjectConfig, tenantConfig);
    }

    /// <summary>
    /// Sets (or with null clears) the mode of a subject or of the tenant (<see cref="SubjectConfig.TenantWide"/>), and announces
    /// it. Entering IMPORT needs an empty subject (tenant), as in Confluent, unless <paramref name="force"/>: 42205. Returns the
    /// mode that applied before.
    /// </summary>
    public async Task<RegistryMode> SetModeAsync(Guid tenantId, string subject, RegistryMode? mode, bool force, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockSubjectAsync(db, tenantId, subject, cancellationToken);
        var (subjectConfig, tenantConfig) = await SettingsAsync(db, tenantId, subject, cancellationToken);
        var previous = EffectiveMode(subjectConfig, tenantConfig);
        if (mode == RegistryMode.Import && !force)
        {
            var hasVersions = subject == SubjectConfig.TenantWide
                ? await db.SubjectVersions.AnyAsync(v => v.TenantId == tenantId, cancellationToken)
                : await db.SubjectVersions.AnyAsync(v => v.TenantId == tenantId && v.Subject == subject, cancellationToken);
            if (hasVersions)
            {
                throw new SchemaRegistryException(SchemaRegistryErrorCode.OperationNotPermitted,
                    "Cannot import since found existing subjects; set force=true to import into them anyway.");
            }
        }

        var wire = mode?.ToWire();
        var row = await db.SubjectConfigs.SingleOrDefaultAsync(c => c.TenantId == tenantId && c.Subject == subject, cancellationToken);
        if (row is null)
        {
            if (wire is null)
            {
                return previous;
            }

            db.SubjectConfigs.Add(new SubjectConfig { TenantId = tenantId, Subject = subject, Mode = wire });
        }
        else if (wire is null && row.Compatibility is null)
        {
            db.SubjectConfigs.Remove(row);
        }
        else
        {
            row.Mode = wire;
        }

        await db.SaveChangesAsync(cancellationToken);
        await new SchemaChange(tenantId, subject).NotifyAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return previous;
    }
}
