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
