using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Sluice.Gateway.Auth;

/// <summary>
/// Issues HS256 bearer tokens (for the dev cluster, operators and tests): naming a tenant, carrying the platform admin
/// role, or both. A token without a tenant reaches only the admin endpoints. A tenant token carries
/// <paramref name="roles"/>, or the tenant admin role when none are given.
/// </summary>
public sealed class TokenIssuer(IOptions<AuthOptions> options, TimeProvider timeProvider)
{
    public string Issue(string? tenant, TimeSpan lifetime, string? subject = null, bool admin = false, IReadOnlyCollection<string>? roles = null)
    {
        if (string.IsNullOrEmpty(tenant) && !admin)
        {
            throw new ArgumentException("A token names a tenant, carries the admin role, or both.", nameof(tenant));
        }

        var auth = options.Value;
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var claims = new List<Claim> { new("sub", subject ?? (string.IsNullOrEmpty(tenant) ? "sluice-admin" : $"{tenant}-admin")) };
        if (!string.IsNullOrEmpty(tenant))
        {
            claims.Add(new Claim(auth.TenantClaim, tenant));
        }

        if (!string.IsNullOrEmpty(tenant))
        {
            foreach (var role in roles ?? [auth.TenantAdminRole])
            {
                claims.Add(new Claim(auth.RoleClaim, role));
            }
        }

        if (admin)
        {
            claims.Add(new Claim(auth.RoleClaim, auth.PlatformAdminRole));
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = auth.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(auth.SigningKeyBytes()), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
