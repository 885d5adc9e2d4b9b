using Microsoft.EntityFrameworkCore;
using Sluice.Metadata.Model;
using Sluice.Schemas;

namespace Sluice.Metadata;

public sealed partial class SchemaRegistryStore
{
    /// <summary>The largest page <see cref="ListSchemasAsync"/> answers.</summary>
    public const int MaxSchemaListLimit = 1000;

    /// <summary>The tenant's subjects with a live version (with <paramref name="includeDeleted"/>, with any version), in name order.</summary>
    public async Task<IReadOnlyList<string>> ListSubjectsAsync(Guid tenantId, bool includeDeleted, string? subjectPrefix, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.SubjectVersions.AsNoTracking().Where(v => v.TenantId == tenantId && (includeDeleted || !v.Deleted));
        if (!string.IsNullOrEmpty(subjectPrefix))
        {
            query = query.Where(v => v.Subject.StartsWith(subjectPrefix));
        }

        var subjects = await query.Select(v => v.Subject).Distinct().ToListAsync(cancellationToken);
        subjects.Sort(StringComparer.Ordinal);
        return subjects;
    }

    /// <summary>The subject's version numbers, ascending: live ones, or with <paramref name="includeDeleted"/> soft-deleted ones too. 40401 when there is none.</summary>
    public async Task<IReadOnlyList<int>> ListVersionsAsync(Guid tenantId, string subject, bool includeDeleted, CancellationToken cancellationToken = default)
    {
        var versions = await VersionsAsync(tenantId, subject, includeDeleted, cancellationToken);
        return versions.ConvertAll(v => v.Version);
    }

    /// <summary>
    /// One version of the subject with its schema; null <paramref name="version"/> is the latest. Soft-deleted versions count
    /// only with <paramref name="includeDeleted"/>. 40401 when the subject has no (live) version, 40402 when it has not that one.
    /// </summary>
    public async Task<SubjectSchema> GetVersionAsync(Guid tenantId, string subject, int? version, bool includeDeleted, CancellationToken cancellationToken = default)
    {
        var versions = await VersionsAsync(tenantId, subject, includeDeleted, cancellationToken);
        var row = version is { } wanted ? versions.Find(v => v.Version == wanted) : versions[^1];
        if (row is null)
        {
            throw SchemaRegistryException.VersionNotFound(subject, version!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var schema = await db.Schemas.AsNoTracking().SingleAsync(s => s.Id == row.SchemaId, cancellationToken);
        return new SubjectSchema(subject, row.Version, schema.Id, schema.SchemaType, schema.Schema, schema.References);
    }

    /// <summary>
    /// Which version of the subject <paramref name="submission"/> is (<c>POST /subjects/{subject}</c>), compared by canonical form;
    /// the lowest such version. 40401 when the subject has no (live) version, 40403 when none of them is this schema.
    /// </summary>
    public async Task<SubjectSchema> LookupAsync(Guid tenantId, string subject, SchemaSubmission submission, bool includeDeleted,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var parsed = Parse(submission.Type, submission.Schema);
        var fingerprint = Fingerprint(submission.Type, parsed.Canonical, SchemaSubmission.NoReferences);
        var versions = await VersionsAsync(tenantId, subject, includeDeleted, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var schema = await db.Schemas.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenantId && s.Fingerprint == fingerprint, cancellationToken);
        var row = schema is null ? null : versions.Find(v => v.SchemaId == schema.Id);
        if (schema is null || row is null)
        {
            throw SchemaRegistryException.SchemaNotFound();
        }

        return new SubjectSchema(subject, row.Version, schema.Id, schema.SchemaType, schema.Schema, schema.References);
    }

    /// <summary>The subject-versions that use the tenant's schema <paramref name="id"/>, by subject then version. 40403 when the tenant has no such schema.</summary>
    public async Task<IReadOnlyList<SubjectVersionRef>> GetSchemaUsagesAsync(Guid tenantId, int id, bool includeDeleted, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await db.Schemas.AnyAsync(s => s.TenantId == tenantId && s.Id == id, cancellationToken))
        {
            throw SchemaRegistryException.SchemaNotFound();
        }

        var rows = await db.SubjectVersions.AsNoTracking()
            .Where(v => v.TenantId == tenantId && v.SchemaId == id && (includeDeleted || !v.Deleted))
            .Select(v => new { v.Subject, v.Version })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => new SubjectVersionRef(r.Subject, r.Version)).OrderBy(r => r.Subject, StringComparer.Ordinal).ThenBy(r => r.Version)];
    }

    /// <summary>
    /// The tenant's subject-versions with their schemas (<c>GET /schemas</c>), by subject then version: live ones (or all with
    /// <paramref name="includeDeleted"/>), of subjects starting with <paramref name="subjectPrefix"/>, only each subject's latest with
    /// <paramref name="latestOnly"/>, a page of <paramref name="limit"/> from <paramref name="offset"/>.
    /// </summary>
    public async Task<IReadOnlyList<SubjectSchema>> ListSchemasAsync(Guid tenantId, string? subjectPrefix, bool includeDeleted, bool latestOnly, int offset, int limit,
        CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query =
            from v in db.SubjectVersions.AsNoTracking()
            join s in db.Schemas.AsNoTracking() on v.SchemaId equals s.Id
            where v.TenantId == tenantId && (includeDeleted || !v.Deleted)
            select new { v.Subject, v.Version, v.SchemaId, s.SchemaType, s.Schema, s.References };
        if (!string.IsNullOrEmpty(subjectPrefix))
        {
            query = query.Where(r => r.Subject.StartsWith(subjectPrefix));
        }

        var rows = (await query.ToListAsync(cancellationToken))
            .OrderBy(r => r.Subject, StringComparer.Ordinal).ThenBy(r => r.Version)
            .Select(r => new SubjectSchema(r.Subject, r.Version, r.SchemaId, r.SchemaType, r.Schema, r.References));
        if (latestOnly)
        {
            rows = rows.GroupBy(r => r.Subject, StringComparer.Ordinal).Select(g => g.Last());
        }

        return [.. rows.Skip(Math.Max(0, offset)).Take(Math.Clamp(limit, 0, MaxSchemaListLimit))];
    }

    /// <summary>The subject's version rows, ascending; 40401 when none counts (none at all, or only soft-deleted ones without <paramref name="includeDeleted"/>).</summary>
    private async Task<List<SubjectVersion>> VersionsAsync(Guid tenantId, string subject, bool includeDeleted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject.Length is 0 or > MaxSubjectLength)
        {
            throw SchemaRegistryException.SubjectNotFound(subject);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var versions = await db.SubjectVersions.AsNoTracking()
            .Where(v => v.TenantId == tenantId && v.Subject == subject && (includeDeleted || !v.Deleted))
            .OrderBy(v => v.Version)
            .ToListAsync(cancellationToken);
        return versions.Count == 0 ? throw SchemaRegistryException.SubjectNotFound(subject) : versions;
    }

    /// <summary>The type of a stored schema row.</summary>
    public static SchemaType TypeOf(string schemaType) =>
        SchemaTypes.TryParse(schemaType, out var type) ? type : throw new SchemaRegistryException($"A stored schema has the unknown type '{schemaType}'.");
}
