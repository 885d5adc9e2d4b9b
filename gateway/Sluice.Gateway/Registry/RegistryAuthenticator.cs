using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Sluice.Gateway.Auth;
using Sluice.Metadata;

namespace Sluice.Gateway.Registry;

/// <summary>
/// Who calls the schema registry, as a <see cref="Caller"/> resolved exactly as on the other faces. Two ways in: the bearer tokens of
/// <c>/v1</c> (validated by the gateway's authentication middleware; Confluent's bearer mode also sends <c>target-sr-cluster</c> and
/// <c>Confluent-Identity-Pool-Id</c>, which mean nothing here and are ignored), and HTTP Basic with an access key id and its secret —
/// what Confluent clients send for <c>basic.auth.user.info</c> — acting as the key's service account, or the tenant administrator for a
/// tenant key, as on the Kinesis face. Every failure is 40101 with a message that never says which part was wrong; a token of no
/// tenant (an operator's) is 40301: the registry is per tenant.
/// </summary>
public sealed class RegistryAuthenticator(CallerResolver callers, AccessKeyStore keys, IOptions<AuthOptions> options)
{
    /// <summary>The caller of the request; throws <see cref="SchemaRegistryException"/> 40101 / 40301.</summary>
    public async ValueTask<Caller> AuthenticateAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var header = context.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header) || !AuthenticationHeaderValue.TryParse(header, out var authorization))
        {
            throw Unauthenticated("Credentials are required: a bearer token, or HTTP Basic with an access key id and secret.");
        }

        if (string.Equals(authorization.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            return await FromAccessKeyAsync(authorization.Parameter, context.RequestAborted);
        }

        if (!string.Equals(authorization.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw Unauthenticated($"The '{authorization.Scheme}' authentication scheme is not supported; use Bearer or Basic.");
        }

        // The middleware validated the token (signature, issuer, audience, lifetime, a disabled principal) with the default scheme.
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            throw Unauthenticated("The bearer token is invalid or has expired.");
        }

        if (string.IsNullOrEmpty(user.FindFirst(options.Value.TenantClaim)?.Value))
        {
            throw new SchemaRegistryException(SchemaRegistryErrorCode.Forbidden,
                $"The token names no tenant ('{options.Value.TenantClaim}' claim): the schema registry belongs to a tenant.");
        }

        try
        {
            return await callers.ResolveAsync(user, context.RequestAborted);
        }
        catch (Sluice.Core.SluiceException ex) when (ex.Code == Sluice.Core.SluiceErrorCode.Unauthenticated)
        {
            throw Unauthenticated(ex.Message);
        }
    }

    private async ValueTask<Caller> FromAccessKeyAsync(string? parameter, CancellationToken cancellationToken)
    {
        if (!TryDecode(parameter, out var keyId, out var secret))
        {
            throw Unauthenticated("The Basic credentials must be base64 of '<access key id>:<secret>'.");
        }

        var key = await keys.FindActiveAsync(keyId, cancellationToken);
        if (key is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(key.SecretAccessKey)))
        {
            throw Unauthenticated("The access key id or secret is not valid.");
        }

        // A key whose service account was disabled or deleted is refused exactly like an unknown key.
        var caller = await callers.ResolveAsync(key, cancellationToken) ?? throw Unauthenticated("The access key id or secret is not valid.");
        keys.TouchLastUsed(key.AccessKeyId);
        return caller;
    }

    private static bool TryDecode(string? parameter, out string keyId, out string secret)
    {
        keyId = secret = "";
        if (string.IsNullOrEmpty(parameter))
        {
            return false;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return false;
            }

            keyId = text[..colon];
            secret = text[(colon + 1)..];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static SchemaRegistryException Unauthenticated(string message) => new(SchemaRegistryErrorCode.Unauthenticated, message);
}
