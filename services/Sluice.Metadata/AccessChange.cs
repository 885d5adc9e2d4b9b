using Microsoft.EntityFrameworkCore;

namespace Sluice.Metadata;

/// <summary>
/// A change that decides who may authenticate: a tenant suspended, resumed or deleted, or an access key disabled,
/// enabled, rotated or deleted. Announced on <see cref="Channel"/> in the transaction that makes the change, so every
/// gateway's <see cref="AccessChangeListener"/> drops what it cached about it at once.
/// </summary>
/// <param name="Kind">What changed.</param>
/// <param name="Id">The tenant id (a GUID) or the access key id.</param>
public readonly record struct AccessChange(AccessChangeKind Kind, string Id)
{
    /// <summary>The PostgreSQL NOTIFY channel.</summary>
    public const string Channel = "sluice_access";

    private const string TenantPrefix = "tenant/";
    private const string AccessKeyPrefix = "access-key/";

    public static AccessChange Tenant(Guid tenantId) => new(AccessChangeKind.Tenant, tenantId.ToString("D"));

    public static AccessChange AccessKey(string accessKeyId) => new(AccessChangeKind.AccessKey, accessKeyId);

    /// <summary>The NOTIFY payload: <c>tenant/{guid}</c> or <c>access-key/{id}</c>.</summary>
    public string ToPayload() => (Kind == AccessChangeKind.Tenant ? TenantPrefix : AccessKeyPrefix) + Id;

    /// <summary>Parses a NOTIFY payload; false when it is not one.</summary>
    public static bool TryParse(string payload, out AccessChange change)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.StartsWith(TenantPrefix, StringComparison.Ordinal) && Guid.TryParseExact(payload[TenantPrefix.Length..], "D", out var tenantId))
        {
            change = Tenant(tenantId);
            return true;
        }

        if (payload.StartsWith(AccessKeyPrefix, StringComparison.Ordinal) && AccessKeyStore.IsWellFormedId(payload.AsSpan(AccessKeyPrefix.Length)))
        {
            change = AccessKey(payload[AccessKeyPrefix.Length..]);
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
