using System.ComponentModel.DataAnnotations;

namespace Sluice.Gateway.Auth;

/// <summary>JWT bearer settings, bound from <c>Sluice:Auth</c>.</summary>
public sealed record AuthOptions
{
    public const string Section = "Sluice:Auth";

    /// <summary>HMAC-SHA256 key tokens are signed with: base64 of at least 32 bytes. Never logged.</summary>
    [Required, MinLength(44)]
    public string SigningKey { get; init; } = "";

    public string Issuer { get; init; } = "sluice";

    public string Audience { get; init; } = "sluice";

    /// <summary>The claim that names the caller's tenant.</summary>
    public string TenantClaim { get; init; } = "tenant";

    /// <summary>The claim that carries the caller's roles (one value or several).</summary>
    public string RoleClaim { get; init; } = "role";

    /// <summary>The role value of platform operators: admits a token to every <c>/admin</c> endpoint, for every tenant.</summary>
    public string PlatformAdminRole { get; init; } = "platform-admin";

    /// <summary>The role value of a tenant's administrators: everything within their own tenant (streams, keys, ACLs, quotas).</summary>
    public string TenantAdminRole { get; init; } = "tenant-admin";

    /// <summary>Tolerated clock difference when checking token lifetimes.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>External OpenID Connect issuers accepted beside the built-in one (<see cref="Issuer"/>, HS256).</summary>
    public OidcIssuerOptions[] Issuers { get; init; } = [];

    /// <summary>
    /// The shortest time between two fetches of an issuer's keys caused by a token signed with an unknown key id: bounds what
    /// tokens with made-up key ids can make the gateway fetch.
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often an issuer's discovery document and keys are fetched again when nothing asks for it sooner.</summary>
    public TimeSpan KeyAutomaticRefreshInterval { get; init; } = TimeSpan.FromHours(12);

    /// <summary>
    /// How long a tenant's principals and ACL entries are served from memory at most. A change is normally seen at once
    /// (PostgreSQL NOTIFY); this bounds how long a missed notification can go unnoticed.
    /// </summary>
    public TimeSpan AccessControlCacheTtl { get; init; } = TimeSpan.FromSeconds(30);

    public byte[] SigningKeyBytes()
    {
        var bytes = Convert.FromBase64String(SigningKey);
        if (bytes.Length < 32)
        {
            throw new InvalidOperationException("Sluice:Auth:SigningKey must be base64 of at least 32 bytes.");
        }

        return bytes;
    }
}
