using Microsoft.EntityFrameworkCore;
using Sluice.Metadata.Model;
using Sluice.Schemas;

namespace Sluice.Metadata;

public sealed partial class SchemaRegistryStore
{
    /// <summary>
    /// Registers a schema under a subject, as Confluent's <c>POST /subjects/{subject}/versions</c>: an identical schema already in
    /// the tenant keeps its id; one that is already a live version of the subject is answered with that version and adds none;
    /// otherwise the schema must be compatible with the subject's live versions at the effective level (409 with the reasons) and
    /// becomes version max + 1 (never a number the subject had before). Serialised per subject across gateways by an advisory lock.
    /// </summary>
    public async Task<SubjectSchema> RegisterAsync(Guid tenantId, string subject, SchemaSubmission submission, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ValidateSubject(subject);
        if (submission.Id is <= 0 || submission.Version is <= 0)
        {
            throw new SchemaRegistryException(SchemaRegistryErrorCode.InvalidSchema, "The id and version of an imported schema must be positive.");
        }

        var parsed = Parse(submission.Type, submission.Schema);
        var wireType = submission.Type.ToWire();
        var fingerprint = Fingerprint(submission.Type, parsed.Canonical, SchemaSubmission.NoReferences);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockTenantAsync(db, tenantId, exclusive: false, cancellationToken);
        await LockSubjectAsync(db, tenantId, subject, cancellationToken);

        var (subjectConfig, tenantConfig) = await SettingsAsync(db, tenantId, subject, cancellationToken);
        var mode = DemandWritable(subject, subjectConfig, tenantConfig);
        if ((submission.Id is not null || submission.Version is not null) && mode != RegistryMode.Import)
        {
            throw new SchemaRegistryException(SchemaRegistryErrorCode.OperationNotPermitted,
                $"Subject {subject} is not in IMPORT mode: a schema's id and version may be given only when importing.");
        }

        var versions = await db.SubjectVersions.AsNoTracking()
            .Where(v => v.TenantId == tenantId && v.Subject == subject)
            .OrderBy(v => v.Version)
            .ToListAsync(cancellationToken);
        var existing = await db.Schemas.AsNoTracking()
            .SingleOrDefaultAsync(s => s.TenantId == tenantId && s.Fingerprint == fingerprint, cancellationToken);
        if (submission.Id is { } importId)
        {
            await CheckImportIdAsync(db, tenantId, importId, existing, cancellationToken);
        }

        if (existing is not null && versions.Find(v => !v.Deleted && v.SchemaId == existing.Id) is { } same
            && (submission.Version is null || submission.Version == same.Version))
        {
            return new SubjectSchema(subject, same.Version, existing.Id, existing.SchemaType, existing.Schema, existing.References);
        }

        if (submission.Version is { } importVersion && versions.Exists(v => v.Version == importVersion))
        {
            throw new SchemaRegistryException(SchemaRegistryErrorCode.OperationNotPermitted,
                $"Version {importVersion} of subject {subject} already exists with another schema.");
        }

        if (mode != RegistryMode.Import)
        {
            await CheckCompatibleAsync(db, tenantId, subject, parsed, EffectiveCompatibility(subjectConfig, tenantConfig), versions, cancellationToken);
        }

        var schemaId = existing?.Id ?? await InsertSchemaAsync(db, tenantId, wireType, submission.Schema, fingerprint, submission.Id, cancellationToken);
        var counter = await db.SchemaSubjects.SingleOrDefaultAsync(s => s.TenantId == tenantId && s.Subject == subject, cancellationToken);
        if (counter is null)
        {
            counter = new SchemaSubject { TenantId = tenantId, Subject = subject };
            db.SchemaSubjects.Add(counter);
        }

        // The counter is authoritative, but a subject registered before it existed has only its rows.
        var last = Math.Max(counter.LastVersion, versions.Count == 0 ? 0 : versions[^1].Version);
        var version = submission.Version ?? last + 1;
        counter.LastVersion = Math.Max(last, version);
        db.SubjectVersions.Add(new SubjectVersion { TenantId = tenantId, Subject = subject, Version = version, SchemaId = schemaId, CreatedAt = Now });
        await db.SaveChangesAsync(cancellationToken);
        await new SchemaChange(tenantId, subject).NotifyAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new SubjectSchema(subject, version, schemaId, existing?.SchemaType ?? wireType, existing?.Schema ?? submission.Schema,
            existing?.References ?? SchemaSubmission.NoReferences);
    }

    /// <summary>
    /// The reasons <paramref name="candidate"/> may not become the subject's next version at <paramref name="level"/> (empty when
    /// it may), against the live versions: what <c>POST /compatibility/subjects/{subject}/versions</c> answers.
    /// </summary>
    public async Task<IReadOnlyList<string>> CheckCompatibilityAsync(Guid tenantId, string subject, SchemaSubmission submission, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ValidateSubject(subject);
        var parsed = Parse(submission.Type, submission.Schema);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var (subjectConfig, tenantConfig) = await SettingsAsync(db, tenantId, subject, cancellationToken);
        var live = await LiveSchemasAsync(db, tenantId, subject, cancellationToken);
        return CompatibilityChecker.Check(EffectiveCompatibility(subjectConfig, tenantConfig), parsed, live);
    }

    /// <summary>
    /// The reasons <paramref name="submission"/> cannot be read by, or read, one version of the subject (<c>POST
    /// /compatibility/subjects/{subject}/versions/{version}</c>): the effective level's directions, against that version only.
    /// Null <paramref name="version"/> is the latest. 40401 / 40402 when the subject or version is not live.
    /// </summary>
    public async Task<IReadOnlyList<string>> CheckCompatibilityAsync(Guid tenantId, string subject, int? version, SchemaSubmission submission,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ValidateSubject(subject);
        var parsed = Parse(submission.Type, submission.Schema);
        var target = await GetVersionAsync(tenantId, subject, version, includeDeleted: false, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var (subjectConfig, tenantConfig) = await SettingsAsync(db, tenantId, subject, cancellationToken);
        var level = EffectiveCompatibility(subjectConfig, tenantConfig);
        return CompatibilityChecker.Check(level, parsed, [(target.Version, ParseStored(target.SchemaType, target.Schema))]);
    }

    private static async Task CheckCompatibleAsync(MetadataDbContext db, Guid tenantId, string subject, ParsedSchema candidate, CompatibilityLevel level,
        List<SubjectVersion> versions, CancellationToken cancellationToken)
    {
        if (level == CompatibilityLevel.None || !versions.Exists(v => !v.Deleted))
        {
            return;
        }

        var live = await LiveSchemasAsync(db, tenantId, subject, cancellationToken);
        var reasons = CompatibilityChecker.Check(level, candidate, live);
        if (reasons.Count > 0)
        {
            throw new SchemaRegistryException(SchemaRegistryErrorCode.Incompatible,
                $"Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{string.Join(", ", reasons)}]")
            {
                Details = reasons,
            };
        }
    }

    private static async Task<List<(int Version, ParsedSchema Schema)>> LiveSchemasAsync(MetadataDbContext db, Guid tenantId, string subject, CancellationToken cancellationToken)
    {
        var rows = await (
                from v in db.SubjectVersions.AsNoTracking()
                join s in db.Schemas.AsNoTracking() on v.SchemaId equals s.Id
                where v.TenantId == tenantId && v.Subject == subject && !v.Deleted
                orderby v.Version
                select new { v.Version, s.SchemaType, s.Schema })
            .ToListAsync(cancellationToken);
        return rows.ConvertAll(r => (r.Version, ParseStored(r.SchemaType, r.Schema)));
    }

    /// <summary>In IMPORT mode: the id must be free, or already this very schema's in the tenant; and this schema must not have another id already.</summary>
    private static async Task CheckImportIdAsync(MetadataDbContext db, Guid tenantId, int importId, RegisteredSchema? existing, CancellationToken cancellationToken)
    {
        if (existing is not null)
        {
            if (existing.Id != importId)
            {
                throw new SchemaRegistryException(SchemaRegistryErrorCode.OperationNotPermitted,
                    $"The schema is already registered with id {existing.Id}; it cannot be imported with id {importId}.");
            }

            return;
        }

        if (await db.Schemas.AnyAsync(s => s.Id == importId, cancellationToken))
        {
            throw new SchemaRegistryException(SchemaRegistryErrorCode.OperationNotPermitted,
                $"Overwrite new schema with id {importId} is not permitted.");
        }
    }

    /// <summary>
    /// Inserts the schema row, or finds the one a concurrent registration in another subject inserted a moment ago (the
    /// fingerprint is unique per tenant): either way its id. With <paramref name="importId"/> the row takes that id, and the id
    /// sequence moves past it so that later ids never collide with it.
    /// </summary>
    private async Task<int> InsertSchemaAsync(MetadataDbContext db, Guid tenantId, string type, string text, string fingerprint, int? importId,
        CancellationToken cancellationToken)
    {
        var now = Now;
        if (importId is { } id)
        {
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO schemas (id, tenant_id, schema_type, schema, fingerprint, "references", created_at)
                OVERRIDING SYSTEM VALUE VALUES ({id}, {tenantId}, {type}, {text}, {fingerprint}, {SchemaSubmission.NoReferences}::jsonb, {now})
                """, cancellationToken);
            await db.Database.ExecuteSqlAsync(
                $"SELECT setval(pg_get_serial_sequence('schemas', 'id'), GREATEST({id}, (SELECT COALESCE(MAX(id), 1) FROM schemas)))", cancellationToken);
            return id;
        }

        var inserted = await db.Database.SqlQuery<int>(
                $"""
                INSERT INTO schemas (tenant_id, schema_type, schema, fingerprint, "references", created_at)
                VALUES ({tenantId}, {type}, {text}, {fingerprint}, {SchemaSubmission.NoReferences}::jsonb, {now})
                ON CONFLICT (tenant_id, fingerprint) DO NOTHING
                RETURNING id AS "Value"
                """)
            .ToListAsync(cancellationToken);
        if (inserted.Count == 1)
        {
            return inserted[0];
        }

        return await db.Schemas.Where(s => s.TenantId == tenantId && s.Fingerprint == fingerprint).Select(s => s.Id).SingleAsync(cancellationToken);
    }
}
