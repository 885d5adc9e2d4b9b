using Sluice.Metadata.Model;

namespace Sluice.Gateway.Admin;

/// <summary>Body of POST /admin/v1/tenants.</summary>
/// <param name="Name">1-64 characters of a-z, 0-9, '-', '_' and '.', starting with a letter or digit; what tokens name in their tenant claim.</param>
public sealed record CreateTenantBody(string? Name);

/// <summary>A tenant as the admin API shows it.</summary>
/// <param name="AccountId">The 12-digit account id of its ARNs.</param>
/// <param name="Status">active or suspended.</param>
public sealed record TenantDto(Guid Id, string Name, string AccountId, string Status, DateTimeOffset CreatedAt)
{
    public static TenantDto From(Tenant tenant) => new(tenant.Id, tenant.Name, tenant.AccountId, StatusName(tenant.Status), tenant.CreatedAt);

    public static string StatusName(TenantStatus status) => status.ToString().ToLowerInvariant();
}

/// <summary>A page of GET /admin/v1/tenants, in name order; pass the last name as <c>exclusiveStartName</c> for the next.</summary>
public sealed record TenantListDto(IReadOnlyList<TenantDto> Tenants, bool HasMore);

/// <summary>Per-tenant byte rates as stored; null takes the gateway's default.</summary>
public sealed record TenantQuotasDto(long? IngressBytesPerSecond, long? EgressBytesPerSecond);

/// <summary>GET /admin/v1/tenants/{tenant}: the tenant with what it owns.</summary>
/// <param name="Streams">Its streams in any status.</param>
public sealed record TenantDetailsDto(
    Guid Id, string Name, string AccountId, string Status, DateTimeOffset CreatedAt, int Streams, int AccessKeys, int Principals, TenantQuotasDto Quotas)
{
    public static TenantDetailsDto From(Tenant tenant, (int Streams, int AccessKeys, int Principals) counts) => new(
        tenant.Id, tenant.Name, tenant.AccountId, TenantDto.StatusName(tenant.Status), tenant.CreatedAt,
        counts.Streams, counts.AccessKeys, counts.Principals, new TenantQuotasDto(tenant.IngressBytesPerSecond, tenant.EgressBytesPerSecond));
}
