using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Admin;

/// <summary>Body of POST /admin/v1/tenants/{tenant}/access-keys.</summary>
/// <param name="Description">What the key is for (at most 256 characters).</param>
/// <param name="Principal">A service account of the tenant (<c>service:…</c>) the key acts as; omitted: a tenant key, acting as the tenant's administrator.</param>
public sealed record CreateAccessKeyBody(string? Description, string? Principal);

/// <summary>An access key as listed: never its secret.</summary>
/// <param name="Status">active or inactive.</param>
/// <param name="Principal">The service account it acts as; null for a tenant key.</param>
/// <param name="LastUsedAt">When a request signed with it last succeeded (written at most about once a minute).</param>
public sealed record AccessKeyDto(string AccessKeyId, string Description, string Status, string? Principal, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt)
{
    public static AccessKeyDto From(AccessKeyDetails key) =>
        new(key.AccessKeyId, key.Description, StatusName(key.Status), key.Principal, key.CreatedAt, key.LastUsedAt);

    public static string StatusName(AccessKeyStatus status) => status.ToString().ToLowerInvariant();
}

/// <summary>GET /admin/v1/tenants/{tenant}/access-keys: the tenant's keys, newest first.</summary>
public sealed record AccessKeyListDto(IReadOnlyList<AccessKeyDto> AccessKeys);

/// <summary>
/// A key just created (or rotated in): the only answer that carries its secret. Store it at once; it cannot be shown again.
/// </summary>
/// <param name="Replaces">For a rotation, the id of the key it replaces (now inactive).</param>
public sealed record CreatedAccessKeyDto(
    string AccessKeyId, string SecretAccessKey, string Description, string Status, string? Principal, DateTimeOffset CreatedAt, string? Replaces)
{
    public static CreatedAccessKeyDto From(NewAccessKey key, string? principal, string? replaces = null) =>
        new(key.AccessKeyId, key.SecretAccessKey, key.Description, AccessKeyDto.StatusName(AccessKeyStatus.Active), principal, key.CreatedAt, replaces);

    /// <summary>Names the key, never its secret (so logging the object does not leak it).</summary>
    public override string ToString() => $"{nameof(CreatedAccessKeyDto)} {AccessKeyId} (secret redacted)";
}
