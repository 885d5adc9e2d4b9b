using System.ComponentModel.DataAnnotations;

namespace Sluice.Gateway.Auth;

/// <summary>
/// An external OpenID Connect issuer whose tokens the gateway accepts (an entry of <c>Sluice:Auth:Issuers</c>). Its signing keys
/// come from its discovery document and JWKS, fetched again when a token names a key not yet known (rotation).
/// </summary>
public sealed record OidcIssuerOptions
{
    /// <summary>The issuer (authority) URL, exactly as the tokens' <c>iss</c> claim spells it.</summary>
    [Required]
    public string Issuer { get; init; } = "";

    /// <summary>The discovery document; <c>{Issuer}/.well-known/openid-configuration</c> when not set.</summary>
    public string? MetadataAddress { get; init; }

    /// <summary>Accepted <c>aud</c> values; at least one.</summary>
    [Required, MinLength(1)]
    public string[] Audiences { get; init; } = [];

    /// <summary>The claim naming the tenant in this issuer's tokens; <see cref="AuthOptions.TenantClaim"/> when not set.</summary>
    public string? TenantClaim { get; init; }

    /// <summary>The claim carrying roles in this issuer's tokens; <see cref="AuthOptions.RoleClaim"/> when not set.</summary>
    public string? RoleClaim { get; init; }

    /// <summary>
    /// Whether this issuer may grant <see cref="AuthOptions.PlatformAdminRole"/>. Off by default: an issuer that serves
    /// tenants' users should not be able to make one of them operator of every tenant.
    /// </summary>
    public bool AllowPlatformAdmin { get; init; }

    /// <summary>Fetch the metadata only over HTTPS (default). Only tests against a loopback issuer turn it off.</summary>
    public bool RequireHttpsMetadata { get; init; } = true;

    /// <summary>The discovery document's address.</summary>
    public string DiscoveryAddress() =>
        string.IsNullOrEmpty(MetadataAddress) ? $"{Issuer.TrimEnd('/')}/.well-known/openid-configuration" : MetadataAddress;
}
