using System.Globalization;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// A one-node cluster whose gateway accepts, beside its own tokens, those of two OpenID Connect issuers played by
/// <see cref="OidcIssuer"/>: realm <see cref="Custom"/> names the tenant in <c>org</c> and roles in <c>groups</c>, for audience
/// <see cref="Audience"/>; realm <see cref="Plain"/> uses the gateway's own claim names. Unknown key ids make the gateway fetch the
/// JWKS again at most every <see cref="KeyRefreshInterval"/>.
/// </summary>
public sealed class OidcClusterFixture : SluiceCluster
{
    public const string Custom = "custom";
    public const string Plain = "plain";
    public const string Audience = "sluice-api";
    public static readonly TimeSpan KeyRefreshInterval = TimeSpan.FromSeconds(1);

    public OidcClusterFixture()
        : this(new OidcIssuer(Custom, Plain))
    {
    }

    private OidcClusterFixture(OidcIssuer issuer)
        : base(nodeCount: 1, gatewaySettings: Settings(issuer))
    {
        Issuer = issuer;
        Issuer.Publish(Custom, CustomKey);
        Issuer.Publish(Plain, PlainKey);
    }

    public OidcIssuer Issuer { get; }

    /// <summary>The key realm <see cref="Custom"/> publishes from the start.</summary>
    public OidcIssuer.SigningKey CustomKey { get; } = new("custom-1");

    /// <summary>The key realm <see cref="Plain"/> publishes.</summary>
    public OidcIssuer.SigningKey PlainKey { get; } = new("plain-1");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Issuer.Dispose();
        CustomKey.Dispose();
        PlainKey.Dispose();
    }

    private static Dictionary<string, string> Settings(OidcIssuer issuer) => new()
    {
        ["Sluice__Auth__Issuers__0__Issuer"] = issuer.IssuerOf(Custom),
        ["Sluice__Auth__Issuers__0__Audiences__0"] = Audience,
        ["Sluice__Auth__Issuers__0__TenantClaim"] = "org",
        ["Sluice__Auth__Issuers__0__RoleClaim"] = "groups",
        ["Sluice__Auth__Issuers__0__RequireHttpsMetadata"] = "false",
        ["Sluice__Auth__Issuers__1__Issuer"] = issuer.IssuerOf(Plain),
        ["Sluice__Auth__Issuers__1__Audiences__0"] = Audience,
        ["Sluice__Auth__Issuers__1__RequireHttpsMetadata"] = "false",
        ["Sluice__Auth__KeyRefreshInterval"] = KeyRefreshInterval.ToString("c", CultureInfo.InvariantCulture),
    };
}

[CollectionDefinition(Name)]
public sealed class OidcClusterCollection : ICollectionFixture<OidcClusterFixture>
{
    public const string Name = "oidc-cluster";
}
