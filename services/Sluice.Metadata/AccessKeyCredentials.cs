using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>
/// An active access key with its decrypted secret, for verifying request signatures.
/// <see cref="ToString"/> leaves the secret out.
/// </summary>
public sealed class AccessKeyCredentials(string accessKeyId, Tenant tenant, string secretAccessKey, Principal? principal = null)
{
    public string AccessKeyId { get; } = accessKeyId;

    /// <summary>The (active) tenant that owns the key. Shared between callers: do not modify.</summary>
    public Tenant Tenant { get; } = tenant;

    /// <summary>
    /// The service account the key acts as (enabled when the key was read), or null for a tenant key, which acts as the
    /// tenant's administrator. Shared between callers: do not modify.
    /// </summary>
    public Principal? Principal { get; } = principal;

    /// <summary>The plain secret access key. Never log it.</summary>
    public string SecretAccessKey { get; } = secretAccessKey;

    /// <summary>Names the key and its tenant, never the secret.</summary>
    public override string ToString() => $"{nameof(AccessKeyCredentials)} {AccessKeyId} of tenant {Tenant.Name} (secret redacted)";
}
