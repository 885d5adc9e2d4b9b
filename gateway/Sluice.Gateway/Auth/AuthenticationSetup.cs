using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Sluice.Core;

namespace Sluice.Gateway.Auth;

/// <summary>
/// Bearer authentication for REST, gRPC and admin: the built-in HS256 issuer (<see cref="AuthOptions.Issuer"/>, used by the dev cluster,
/// operators and tests) and any number of external OpenID Connect issuers (<see cref="AuthOptions.Issuers"/>).
/// <para>
/// Each issuer is a JwtBearer scheme of its own, behind a policy scheme that forwards a request by the (not yet validated) <c>iss</c> of
/// its token; the chosen scheme then validates everything, so a token that lies about its issuer only reaches a scheme whose keys did
/// not sign it. One scheme per issuer, rather than one handler with a key resolver, keeps each issuer's discovery and JWKS in JwtBearer's
/// own <c>ConfigurationManager</c>: fetched asynchronously, cached, refreshed on a schedule, and fetched again — at most once per
/// <see cref="AuthOptions.KeyRefreshInterval"/> — when a token is signed with a key id it has not seen (key rotation), with the token
/// validated again against the new keys. External issuers are held to asymmetric algorithms; the built-in one to HS256.
/// </para>
/// </summary>
public static class AuthenticationSetup
{
    /// <summary>The default scheme: forwards to the scheme of the token's issuer.</summary>
    public const string SelectorScheme = "sluice-bearer";

    /// <summary>Algorithms accepted from external issuers: signatures with public keys only (no HMAC, no <c>none</c>).</summary>
    public static readonly string[] AsymmetricAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    // Reads (never validates) a token's issuer to pick its scheme; thread-safe for reading.
    private static readonly JsonWebTokenHandler Reader = new();

    /// <summary>Adds the schemes; throws at start when an issuer is misconfigured.</summary>
    public static IServiceCollection AddSluiceAuthentication(this IServiceCollection services, AuthOptions auth, bool isTokenCommand)
    {
        ArgumentNullException.ThrowIfNull(auth);
        if (IssuersProblem(auth) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var schemes = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < auth.Issuers.Length; i++)
        {
            schemes[auth.Issuers[i].Issuer] = $"oidc-{i}";
        }

        var builder = services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "Bearer token of any configured issuer", policy => policy.ForwardDefaultSelector = context => SchemeOf(context, schemes))
            .AddJwtBearer(JwtBearerDefaults.AuthenticationScheme, jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Issuer,
                    ValidAudience = auth.Audience,
                    IssuerSigningKey = isTokenCommand || string.IsNullOrEmpty(auth.SigningKey) ? null : new SymmetricSecurityKey(auth.SigningKeyBytes()),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ClockSkew = auth.ClockSkew,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                };
                jwt.Events = Events(auth, issuer: null);
            });
        foreach (var issuer in auth.Issuers)
        {
            builder.AddJwtBearer(schemes[issuer.Issuer], jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.MetadataAddress = issuer.DiscoveryAddress();
                jwt.RequireHttpsMetadata = issuer.RequireHttpsMetadata;
                jwt.RefreshOnIssuerKeyNotFound = true;
                jwt.RefreshInterval = auth.KeyRefreshInterval;
                jwt.AutomaticRefreshInterval = auth.KeyAutomaticRefreshInterval;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = issuer.Issuer,
                    ValidAudiences = issuer.Audiences,
                    ValidAlgorithms = AsymmetricAlgorithms,
                    ClockSkew = auth.ClockSkew,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ValidateIssuerSigningKey = true,
                };
                jwt.Events = Events(auth, issuer);
            });
        }

        return services;
    }

    /// <summary>Null when <see cref="AuthOptions.Issuers"/> are usable; else what is wrong, naming the setting.</summary>
    public static string? IssuersProblem(AuthOptions auth)
    {
        ArgumentNullException.ThrowIfNull(auth);
        var seen = new HashSet<string>(StringComparer.Ordinal) { auth.Issuer };
        for (var i = 0; i < auth.Issuers.Length; i++)
        {
            var issuer = auth.Issuers[i];
            var at = $"Sluice:Auth:Issuers:{i}";
            if (!Uri.TryCreate(issuer.Issuer, UriKind.Absolute, out _))
            {
                return $"{at}:Issuer must be the issuer's absolute URL; got '{issuer.Issuer}'.";
            }

            if (!seen.Add(issuer.Issuer))
            {
                return $"{at}:Issuer '{issuer.Issuer}' is configured twice (or is the built-in issuer's name).";
            }

            if (!Uri.TryCreate(issuer.DiscoveryAddress(), UriKind.Absolute, out var discovery))
            {
                return $"{at}:MetadataAddress must be an absolute URL; got '{issuer.MetadataAddress}'.";
            }

            if (issuer.RequireHttpsMetadata && discovery.Scheme != Uri.UriSchemeHttps)
            {
                return $"{at}: the discovery document {discovery} is not HTTPS; set RequireHttpsMetadata to false only for a test issuer on loopback.";
            }

            if (issuer.Audiences.Length == 0 || issuer.Audiences.Any(string.IsNullOrWhiteSpace))
            {
                return $"{at}:Audiences must name at least one audience, none empty.";
            }
        }

        if (auth.KeyRefreshInterval < TimeSpan.FromSeconds(1) || auth.KeyAutomaticRefreshInterval < auth.KeyRefreshInterval)
        {
            return "Sluice:Auth:KeyRefreshInterval must be at least 1 second, and KeyAutomaticRefreshInterval at least as long.";
        }

        return auth.AccessControlCacheTtl <= TimeSpan.Zero ? "Sluice:Auth:AccessControlCacheTtl must be positive." : null;
    }

    private static string SchemeOf(HttpContext context, Dictionary<string, string> schemes)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (schemes.Count > 0 && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header["Bearer ".Length..].Trim();
            try
            {
                // Not validated here: the scheme it picks validates everything.
                if (Reader.CanReadToken(token) && schemes.TryGetValue(Reader.ReadJsonWebToken(token).Issuer, out var scheme))
                {
                    return scheme;
                }
            }
            catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or JsonException)
            {
                // Malformed: the built-in scheme refuses it with the usual answer.
            }
        }

        return JwtBearerDefaults.AuthenticationScheme;
    }

    private static JwtBearerEvents Events(AuthOptions auth, OidcIssuerOptions? issuer) => new()
    {
        OnTokenValidated = context => OnTokenValidatedAsync(context, auth, issuer),
        OnChallenge = async context =>
        {
            // REST callers get problem+json saying what was wrong; gRPC callers get UNAUTHENTICATED.
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
            {
                return;
            }

            context.HandleResponse();
            var detail = context.AuthenticateFailure switch
            {
                SecurityTokenExpiredException => "The bearer token has expired.",
                null when string.IsNullOrEmpty(context.Request.Headers.Authorization) => "A bearer token is required (Authorization: Bearer <token>).",
                _ => "The bearer token is invalid.",
            };
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await context.Response.WriteAsJsonAsync(
                new { type = "about:blank", title = "Unauthenticated", status = 401, detail }, (JsonSerializerOptions?)null, "application/problem+json");
        },
        OnForbidden = async context =>
        {
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
            {
                return;
            }

            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsJsonAsync(
                new { type = "about:blank", title = "Forbidden", status = 403, detail = $"This endpoint needs a token with the '{auth.PlatformAdminRole}' role." },
                (JsonSerializerOptions?)null, "application/problem+json");
        },
    };

    /// <summary>
    /// Puts an external issuer's tenant and roles under the gateway's own claim names (<see cref="AuthOptions.TenantClaim"/>,
    /// <see cref="AuthOptions.RoleClaim"/>), so every policy reads one spelling; then applies the tenant's principal of the token's
    /// subject, if any: a disabled one fails authentication, an enabled one adds its roles.
    /// </summary>
    private static async Task OnTokenValidatedAsync(TokenValidatedContext context, AuthOptions auth, OidcIssuerOptions? issuer)
    {
        if (context.Principal?.Identity is not ClaimsIdentity identity)
        {
            return;
        }

        if (issuer is not null)
        {
            Normalize(identity, auth, issuer);
        }

        var subject = identity.FindFirst("sub")?.Value;
        if (string.IsNullOrEmpty(subject) || identity.FindFirst(auth.TenantClaim) is null)
        {
            return;
        }

        var services = context.HttpContext.RequestServices;
        try
        {
            var tenant = await services.GetRequiredService<TenantResolver>().ResolveAsync(context.Principal, context.HttpContext.RequestAborted);
            var snapshot = await services.GetRequiredService<AccessControlCache>().GetAsync(tenant.Id, context.HttpContext.RequestAborted);
            var principal = CallerResolver.FindUser(snapshot, CallerResolver.UserPrincipal(subject), identity.FindFirst("iss")?.Value);
            if (principal is null)
            {
                return;
            }

            if (principal.Disabled)
            {
                context.Fail($"The principal {principal.Name} is disabled.");
                return;
            }

            foreach (var role in CallerResolver.GrantableRoles(principal.Roles, auth))
            {
                if (!identity.HasClaim(auth.RoleClaim, role))
                {
                    identity.AddClaim(new Claim(auth.RoleClaim, role));
                }
            }
        }
        catch (SluiceException)
        {
            // No such tenant, or the metadata store is away: the request's own resolution of its caller answers that (401, 503).
        }
    }

    private static void Normalize(ClaimsIdentity identity, AuthOptions auth, OidcIssuerOptions issuer)
    {
        var tenant = identity.FindFirst(issuer.TenantClaim ?? auth.TenantClaim)?.Value;
        var roles = identity.FindAll(issuer.RoleClaim ?? auth.RoleClaim).Select(c => c.Value)
            .Where(r => issuer.AllowPlatformAdmin || !string.Equals(r, auth.PlatformAdminRole, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        // Whatever the token carries under the gateway's own names does not count: only the configured claims do.
        foreach (var claim in identity.Claims.Where(c => c.Type == auth.TenantClaim || c.Type == auth.RoleClaim).ToList())
        {
            identity.TryRemoveClaim(claim);
        }

        if (!string.IsNullOrEmpty(tenant))
        {
            identity.AddClaim(new Claim(auth.TenantClaim, tenant));
        }

        foreach (var role in roles)
        {
            identity.AddClaim(new Claim(auth.RoleClaim, role));
        }
    }
}
