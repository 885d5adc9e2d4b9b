using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>What an owner may see of an access key: everything but the secret.</summary>
public sealed record AccessKeyInfo(
    string AccessKeyId,
    Guid TenantId,
    string Description,
    AccessKeyStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt);
