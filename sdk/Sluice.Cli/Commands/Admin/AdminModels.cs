using System.Text.Json;
using System.Text.Json.Serialization;
using Sluice.Cli.Commands.Bench;

namespace Sluice.Cli.Commands.Admin;

// The parts of the gateway's /admin/v1 JSON that `sluice admin` reads and sends (camelCase).

internal sealed record AdminTenant(Guid Id, string Name, string AccountId, string Status, DateTimeOffset CreatedAt);

internal sealed record AdminTenantList(List<AdminTenant> Tenants, bool HasMore);

internal sealed record AdminTenantQuotas(long? IngressBytesPerSecond, long? EgressBytesPerSecond);

internal sealed record AdminTenantDetails(
    Guid Id, string Name, string AccountId, string Status, DateTimeOffset CreatedAt, int Streams, int AccessKeys, int Principals, AdminTenantQuotas Quotas);

internal sealed record AdminCreateTenant(string Name);

internal sealed record AdminCreateAccessKey(string? Description, string? Principal);

internal sealed record AdminAccessKey(string AccessKeyId, string Description, string Status, string? Principal, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

internal sealed record AdminAccessKeyList(List<AdminAccessKey> AccessKeys);

internal sealed record AdminCreatedAccessKey(string AccessKeyId, string SecretAccessKey, string Description, string Status, string? Principal, string? Replaces)
{
    /// <summary>Names the key, never its secret.</summary>
    public override string ToString() => $"{nameof(AdminCreatedAccessKey)} {AccessKeyId} (secret redacted)";
}

internal sealed record AdminAuditEntry(
    long Id, DateTimeOffset At, string Actor, Guid? ActorTenantId, Guid? TenantId, string Action, string Target, string? RemoteAddress, JsonElement? Details);

internal sealed record AdminAuditList(List<AdminAuditEntry> Entries, long? NextBefore);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(AdminTenant))]
[JsonSerializable(typeof(AdminTenantList))]
[JsonSerializable(typeof(AdminTenantDetails))]
[JsonSerializable(typeof(AdminCreateTenant))]
[JsonSerializable(typeof(AdminCreateAccessKey))]
[JsonSerializable(typeof(AdminAccessKey))]
[JsonSerializable(typeof(AdminAccessKeyList))]
[JsonSerializable(typeof(AdminCreatedAccessKey))]
[JsonSerializable(typeof(AdminAuditList))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
