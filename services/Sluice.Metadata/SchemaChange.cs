using Microsoft.EntityFrameworkCore;

namespace Sluice.Metadata;

/// <summary>
/// A change to a subject of a tenant's schema registry: a version registered, soft- or hard-deleted, or the subject's
/// settings changed. Announced on <see cref="Channel"/> in the transaction that makes the change, so every gateway
/// drops what it cached about the subject (the schemas records of bound streams are checked against) at once.
/// </summary>
public readonly record struct SchemaChange(Guid TenantId, string Subject)
{
    /// <summary>The PostgreSQL NOTIFY channel.</summary>
    public const string Channel = "sluice_schema";

    /// <summary>The NOTIFY payload: <c>{tenant guid}/{subject}</c>.</summary>
    public string ToPayload() => TenantId.ToString("D") + "/" + Subject;

    /// <summary>Parses a NOTIFY payload; false when it is not one.</summary>
    public static bool TryParse(string payload, out SchemaChange change)
    {
        ArgumentNullException.ThrowIfNull(payload);
        const int GuidLength = 36;
        if (payload.Length > GuidLength && payload[GuidLength] == '/' && Guid.TryParseExact(payload.AsSpan(0, GuidLength), "D", out var tenantId))
        {
            change = new SchemaChange(tenantId, payload[(GuidLength + 1)..]);
            return true;
        }

        change = default;
        return false;
    }

    /// <summary>Queues the announcement on <paramref name="db"/>'s connection: PostgreSQL delivers it when (and only if) the transaction commits.</summary>
    public Task NotifyAsync(MetadataDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var payload = ToPayload();
        return db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {payload})", cancellationToken);
    }
}
