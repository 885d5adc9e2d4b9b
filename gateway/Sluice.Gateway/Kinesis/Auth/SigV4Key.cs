namespace Sluice.Gateway.Kinesis.Auth;

/// <summary>
/// An access key as <see cref="SigV4Verifier"/> needs it: its id, the tenant it authenticates, and
/// its secret. <see cref="ToString"/> leaves the secret out.
/// </summary>
public sealed class SigV4Key(string accessKeyId, Guid tenantId, string secretAccessKey)
{
    public string AccessKeyId { get; } = accessKeyId;

    public Guid TenantId { get; } = tenantId;

    /// <summary>The plain secret access key. Never log it.</summary>
    public string SecretAccessKey { get; } = secretAccessKey;

    /// <summary>Names the key, never its secret.</summary>
    public override string ToString() => $"{nameof(SigV4Key)} {AccessKeyId} (secret redacted)";
}
