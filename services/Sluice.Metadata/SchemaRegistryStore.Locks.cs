using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Sluice.Metadata.Model;
using Sluice.Schemas;

namespace Sluice.Metadata;

public sealed partial class SchemaRegistryStore
{
    // Advisory-lock classes of the two-key lock space ("SCHT", "SCHS"), apart from the other users of advisory locks.
    private const int TenantLockClass = 0x53434854;
    private const int SubjectLockClass = 0x53434853;

    /// <summary>
    /// Takes the tenant's registry lock for the transaction: shared by registrations and soft deletes, exclusive for hard
    /// deletes, which remove schema rows no version references any more and so must not run while a registration in
    /// another subject is about to reuse one of them. Always taken before <see cref="LockSubjectAsync"/>, so the two never deadlock.
    /// </summary>
    private static Task LockTenantAsync(MetadataDbContext db, Guid tenantId, bool exclusive, CancellationToken cancellationToken)
    {
        var key = LockKey(tenantId.ToString("D"));
        return exclusive
            ? db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({TenantLockClass}, {key})", cancellationToken)
            : db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock_shared({TenantLockClass}, {key})", cancellationToken);
    }

    /// <summary>
    /// Takes the subject's lock for the transaction, so that concurrent changes to one subject (on any gateway) serialise:
    /// two registrations never both read version n and both add n + 1, nor check compatibility against a list the other is changing.
    /// </summary>
    private static Task LockSubjectAsync(MetadataDbContext db, Guid tenantId, string subject, CancellationToken cancellationToken)
    {
        var key = LockKey(tenantId.ToString("D") + "/" + subject);
        return db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({SubjectLockClass}, {key})", cancellationToken);
    }

    /// <summary>A stable 32-bit key of a name (a collision only makes two subjects wait for each other).</summary>
    private static int LockKey(string name)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(hash);
    }

    /// <summary>
    /// The identity of a schema within a tenant: lower-case hex SHA-256 over its type, canonical form and references,
    /// so that two texts of the same schema (whitespace, key order) are one schema with one id.
    /// </summary>
    public static string Fingerprint(SchemaType type, string canonical, string references)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        ArgumentNullException.ThrowIfNull(references);
        var text = type.ToWire() + "\n" + canonical + "\n" + references;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Parses a schema text, turning every way it can fail into Confluent's 42201.</summary>
    private static ParsedSchema Parse(SchemaType type, string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw SchemaRegistryException.InvalidSchema("Empty schema");
        }

        try
        {
            return SchemaFormats.Parse(type, text);
        }
        catch (SchemaParseException ex)
        {
            throw SchemaRegistryException.InvalidSchema(ex.Message);
        }
        catch (NotSupportedException ex)
        {
            throw SchemaRegistryException.InvalidSchema(ex.Message);
        }
    }

    /// <summary>Parses a stored schema row (valid when it was registered).</summary>
    private static ParsedSchema ParseStored(string schemaType, string text)
    {
        if (!SchemaTypes.TryParse(schemaType, out var type))
        {
            throw new SchemaRegistryException($"A stored schema has the unknown type '{schemaType}'.");
        }

        try
        {
            return SchemaFormats.Parse(type, text);
        }
        catch (Exception ex) when (ex is SchemaParseException or NotSupportedException)
        {
            throw new SchemaRegistryException($"A stored {schemaType} schema no longer parses: {ex.Message}", ex);
        }
    }

    /// <summary>Throws Confluent's 42208 unless <paramref name="subject"/> can name a subject: 1 to <see cref="MaxSubjectLength"/> characters, no control characters.</summary>
    public static void ValidateSubject(string? subject)
    {
        if (string.IsNullOrEmpty(subject) || subject.Length > MaxSubjectLength || subject.Any(char.IsControl))
        {
            throw new SchemaRegistryException(SchemaRegistryErrorCode.InvalidSubject,
                $"The subject name must be 1 to {MaxSubjectLength} characters without control characters.");
        }
    }

    /// <summary>The subject's settings row and the tenant's, either of which may be missing.</summary>
    private static async Task<(SubjectConfig? Subject, SubjectConfig? Tenant)> SettingsAsync(
        MetadataDbContext db, Guid tenantId, string subject, CancellationToken cancellationToken)
    {
        var rows = await db.SubjectConfigs.AsNoTracking()
            .Where(c => c.TenantId == tenantId && (c.Subject == subject || c.Subject == SubjectConfig.TenantWide))
            .ToListAsync(cancellationToken);
        return (rows.Find(r => r.Subject == subject && subject != SubjectConfig.TenantWide), rows.Find(r => r.Subject == SubjectConfig.TenantWide));
    }

    /// <summary>The mode that applies to the subject: the tenant's READONLY_OVERRIDE wins, else the subject's, else the tenant's, else READWRITE.</summary>
    private static RegistryMode EffectiveMode(SubjectConfig? subject, SubjectConfig? tenant)
    {
        var tenantMode = RegistryModes.TryParse(tenant?.Mode, out var t) ? t : RegistryModes.Default;
        if (tenantMode == RegistryMode.ReadOnlyOverride)
        {
            return tenantMode;
        }

        return RegistryModes.TryParse(subject?.Mode, out var s) ? s : tenantMode;
    }

    /// <summary>The compatibility level that applies to the subject: its own, else the tenant's, else BACKWARD.</summary>
    private static CompatibilityLevel EffectiveCompatibility(SubjectConfig? subject, SubjectConfig? tenant)
    {
        if (CompatibilityLevels.TryParse(subject?.Compatibility, out var level))
        {
            return level;
        }

        return CompatibilityLevels.TryParse(tenant?.Compatibility, out level) ? level : CompatibilityLevels.Default;
    }

    /// <summary>Throws 42205 unless the subject's mode allows registrations and deletes.</summary>
    private static RegistryMode DemandWritable(string subject, SubjectConfig? subjectConfig, SubjectConfig? tenantConfig)
    {
        var mode = EffectiveMode(subjectConfig, tenantConfig);
        if (!mode.AllowsWrites())
        {
            throw new SchemaRegistryException(SchemaRegistryErrorCode.OperationNotPermitted,
                $"Subject {subject} is in read-only mode ({mode.ToWire()}).");
        }

        return mode;
    }

    /// <summary>Removes the tenant's schema rows among <paramref name="schemaIds"/> that no version references any more (under the exclusive tenant lock).</summary>
    private static Task<int> RemoveOrphanSchemasAsync(MetadataDbContext db, Guid tenantId, IReadOnlyCollection<int> schemaIds, CancellationToken cancellationToken)
    {
        var ids = schemaIds.Distinct().ToArray();
        return db.Schemas
            .Where(s => s.TenantId == tenantId && ids.Contains(s.Id) && !db.SubjectVersions.Any(v => v.SchemaId == s.Id))
            .ExecuteDeleteAsync(cancellationToken);
    }
}
