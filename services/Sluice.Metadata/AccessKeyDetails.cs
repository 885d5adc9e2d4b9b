using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>What an administrator sees of an access key: everything but the secret, with the service account that owns it.</summary>
/// <param name="Principal">The owning service account's name (<c>service:…</c>); null for a tenant key, which acts as the tenant's administrator.</param>
public sealed record AccessKeyDetails(
    string AccessKeyId,
    Guid TenantId,
    string Description,
    AccessKeyStatus Status,
    string? Principal,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt);
