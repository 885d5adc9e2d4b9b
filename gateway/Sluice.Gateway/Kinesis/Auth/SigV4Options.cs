namespace Sluice.Gateway.Kinesis.Auth;

/// <summary>What <see cref="SigV4Verifier"/> accepts, bound from <c>Sluice:Kinesis:SigV4</c>.</summary>
public sealed record SigV4Options
{
    public const string Section = "Sluice:Kinesis:SigV4";

    /// <summary>The longest region or service name a credential scope may carry.</summary>
    public const int MaxScopeElementLength = 64;

    /// <summary>The longest lifetime a presigned request may ask for (X-Amz-Expires), as AWS: one week.</summary>
    public const int MaxPresignedExpirySeconds = 604_800;

    public static SigV4Options Default { get; } = new();

    /// <summary>The service name the credential scope must name (AWS: "kinesis").</summary>
    public string Service { get; init; } = "kinesis";

    /// <summary>
    /// Regions a credential scope may name. Empty (the default): any well-formed region, since
    /// Sluice is not tied to AWS's regions and clients keep whatever region they are configured with.
    /// </summary>
    public IReadOnlyList<string> Regions { get; init; } = [];

    /// <summary>How far X-Amz-Date may be from the server's clock, either way (AWS: 15 minutes).</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Whether a request may declare <c>x-amz-content-sha256: UNSIGNED-PAYLOAD</c>, leaving its body
    /// out of the signature (as S3 allows). Off by default: no Kinesis SDK sends it, and on a
    /// cleartext port an unsigned body could be swapped in transit without the signature noticing.
    /// </summary>
    public bool AllowUnsignedPayload { get; init; }

    /// <summary>Derived signing keys kept (one per key, day, region and service); beyond it the cache starts over.</summary>
    public int MaxCachedSigningKeys { get; init; } = 4096;

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Service) || Service.Length > MaxScopeElementLength)
        {
            throw new ArgumentOutOfRangeException(nameof(Service), Service, $"Must be 1 to {MaxScopeElementLength} characters.");
        }

        if (MaxClockSkew <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxClockSkew), MaxClockSkew, "Must be positive.");
        }

        if (MaxCachedSigningKeys < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCachedSigningKeys), MaxCachedSigningKeys, "Must be at least 1.");
        }

        foreach (var region in Regions)
        {
            if (!SigV4Verifier.IsWellFormedRegion(region))
            {
                throw new ArgumentOutOfRangeException(nameof(Regions), region, $"A region must be 1 to {MaxScopeElementLength} of a-z, 0-9 and '-'.");
            }
        }
    }
}
