using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// OpenID Connect issuers played by WireMock.Net on loopback: each realm serves its discovery document and a JWKS of RSA keys that a
/// test can change at any time (key rotation), and signs tokens with any of its keys — or with keys it never published.
/// </summary>
public sealed class OidcIssuer : IDisposable
{
    private readonly WireMockServer _server = WireMockServer.Start();
    private readonly Dictionary<string, Guid> _jwksMappings = [];

    public OidcIssuer(params string[] realms)
    {
        foreach (var realm in realms)
        {
            var issuer = IssuerOf(realm);
            var discovery = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["issuer"] = issuer,
                ["jwks_uri"] = $"{issuer}/protocol/openid-connect/certs",
                ["authorization_endpoint"] = $"{issuer}/protocol/openid-connect/auth",
                ["token_endpoint"] = $"{issuer}/protocol/openid-connect/token",
                ["response_types_supported"] = new[] { "code" },
                ["subject_types_supported"] = new[] { "public" },
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            });
            _server.Given(Request.Create().WithPath($"/realms/{realm}/.well-known/openid-configuration").UsingGet())
                .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(discovery));
            _jwksMappings[realm] = Guid.NewGuid();
        }
    }

    /// <summary>The issuer URL of a realm, as its tokens' <c>iss</c> and its discovery document spell it.</summary>
    public string IssuerOf(string realm) => $"{_server.Url}/realms/{realm}";

    /// <summary>Publishes exactly these keys as the realm's JWKS, replacing what it served before.</summary>
    public void Publish(string realm, params SigningKey[] keys)
    {
        var jwks = JsonSerializer.Serialize(new { keys = keys.Select(k => k.ToJwk()).ToArray() });
        _server.Given(Request.Create().WithPath($"/realms/{realm}/protocol/openid-connect/certs").UsingGet())
            .WithGuid(_jwksMappings[realm])
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(jwks));
    }

    /// <summary>How many times the realm's JWKS was fetched so far.</summary>
    public int JwksFetches(string realm) =>
        _server.LogEntries.Count(e => e.RequestMessage.Path == $"/realms/{realm}/protocol/openid-connect/certs");

    /// <summary>A token of the realm signed with <paramref name="key"/> (RS256), for <paramref name="audience"/>, with these claims.</summary>
    public string Issue(string realm, SigningKey key, string audience, IEnumerable<Claim> claims, TimeSpan? lifetime = null, DateTime? notBefore = null, string? issuer = null)
    {
        var start = notBefore ?? DateTime.UtcNow.AddMinutes(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? IssuerOf(realm),
            Audience = audience,
            IssuedAt = start,
            NotBefore = start,
            Expires = start + (lifetime ?? TimeSpan.FromHours(1)),
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(key.SecurityKey, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>An unsigned token (<c>alg: none</c>) with this issuer, audience and claims.</summary>
    public static string UnsignedToken(string issuer, string audience, IReadOnlyDictionary<string, object> claims)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = new Dictionary<string, object>(claims) { ["iss"] = issuer, ["aud"] = audience, ["iat"] = now - 60, ["nbf"] = now - 60, ["exp"] = now + 3600 };
        return $"{Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload))}.";
    }

    /// <summary>An HS256 token whose HMAC key is the bytes of an RSA public key (the algorithm confusion attack).</summary>
    public static string HmacWithPublicKey(string issuer, string audience, SigningKey publicKey, IEnumerable<Claim> claims)
    {
        var secret = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(publicKey.ToJwk()));
        var start = DateTime.UtcNow.AddMinutes(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = start,
            NotBefore = start,
            Expires = start.AddHours(1),
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(secret) { KeyId = publicKey.KeyId }, SecurityAlgorithms.HmacSha256),
        });
    }

    public void Dispose() => _server.Stop();

    /// <summary>An RSA key pair with a key id.</summary>
    public sealed class SigningKey(string keyId) : IDisposable
    {
        private readonly RSA _rsa = RSA.Create(2048);

        public string KeyId { get; } = keyId;

        public RsaSecurityKey SecurityKey => new(_rsa) { KeyId = KeyId };

        /// <summary>The public half as a JWK.</summary>
        public Dictionary<string, string> ToJwk()
        {
            var parameters = _rsa.ExportParameters(includePrivateParameters: false);
            return new()
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["alg"] = "RS256",
                ["kid"] = KeyId,
                ["n"] = Base64UrlEncoder.Encode(parameters.Modulus!),
                ["e"] = Base64UrlEncoder.Encode(parameters.Exponent!),
            };
        }

        public void Dispose() => _rsa.Dispose();
    }
}
