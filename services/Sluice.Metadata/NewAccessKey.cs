namespace Sluice.Metadata;

/// <summary>
/// A key just created: the only time its secret is handed out. <see cref="ToString"/> leaves the
/// secret out, so logging the object does not leak it.
/// </summary>
public sealed class NewAccessKey(string accessKeyId, Guid tenantId, string description, DateTimeOffset createdAt, string secretAccessKey)
{
    public string AccessKeyId { get; } = accessKeyId;

    public Guid TenantId { get; } = tenantId;

    public string Description { get; } = description;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    /// <summary>The 40-character secret; show it to the owner once and never store or log it.</summary>
    public string SecretAccessKey { get; } = secretAccessKey;

    /// <summary>Names the key, never its secret.</summary>
    public override string ToString() => $"{nameof(NewAccessKey)} {AccessKeyId} (secret redacted)";
}
