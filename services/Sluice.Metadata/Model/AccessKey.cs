namespace Sluice.Metadata.Model;

/// <summary>
/// A tenant's AWS-style access key for the Kinesis API (SigV4). The secret is only ever stored
/// encrypted by <see cref="SecretProtector"/>, bound to <see cref="Id"/>.
/// </summary>
public sealed class AccessKey
{
    /// <summary>The access key id: <c>SLU</c> and 17 base32 characters, like AWS's <c>AKIA…</c> ids.</summary>
    public required string Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>The service account the key acts as; null for a tenant key, which acts as the tenant's administrator.</summary>
    public Guid? PrincipalId { get; set; }

    /// <summary>What the key is for, as its owner described it.</summary>
    public string Description { get; set; } = "";

    public AccessKeyStatus Status { get; set; } = AccessKeyStatus.Active;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When a request signed with the key last succeeded (recorded at most once a minute or so).</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>The secret access key as <see cref="SecretProtector"/> output: key version, nonce, ciphertext, tag.</summary>
    public required byte[] EncryptedSecret { get; set; }

    /// <summary>Names the key without any part of its secret.</summary>
    public override string ToString() => $"AccessKey {Id} ({Status})";
}
