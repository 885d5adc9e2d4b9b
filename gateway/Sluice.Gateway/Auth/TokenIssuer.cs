using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Sluice.Gateway.Auth;

/// <summary>Issues HS256 bearer tokens naming a tenant (for the dev cluster and for tests).</summary>
public sealed class TokenIssuer(IOptions<AuthOptions> options, TimeProvider timeProvider)
{
    public string Issue(string tenant, TimeSpan lifetime, string? subject = null)
    {
        var auth = options.Value;
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = auth.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Subject = new ClaimsIdentity([new Claim(auth.TenantClaim, tenant), new Claim("sub", subject ?? $"{tenant}-admin")]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(auth.SigningKeyBytes()), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
