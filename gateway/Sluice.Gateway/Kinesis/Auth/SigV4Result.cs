namespace Sluice.Gateway.Kinesis.Auth;

/// <summary>The outcome of <see cref="SigV4Verifier"/>: who signed the request, or why it is refused.</summary>
public readonly struct SigV4Result
{
    private SigV4Result(string accessKeyId, Guid tenantId, string region)
    {
        AccessKeyId = accessKeyId;
        TenantId = tenantId;
        Region = region;
    }

    private SigV4Result(SigV4Error error) => Error = error;

    /// <summary>True when the signature is valid and the key active.</summary>
    public bool Succeeded => Error is null;

    /// <summary>The access key that signed the request (set on success).</summary>
    public string? AccessKeyId { get; }

    /// <summary>The tenant the key belongs to (set on success).</summary>
    public Guid TenantId { get; }

    /// <summary>The region of the credential scope, e.g. for ARNs in responses (set on success).</summary>
    public string? Region { get; }

    /// <summary>Why the request is refused (set on failure).</summary>
    public SigV4Error? Error { get; }

    /// <summary>A verified request.</summary>
    public static SigV4Result Success(string accessKeyId, Guid tenantId, string region) => new(accessKeyId, tenantId, region);

    /// <summary>A refused request.</summary>
    public static SigV4Result Failure(SigV4Error error) => new(error ?? throw new ArgumentNullException(nameof(error)));
}
