using Sluice.Gateway.Auth;

namespace Sluice.Gateway.Tests.Auth;

public sealed class AuthenticationSetupTests
{
    private static AuthOptions With(params OidcIssuerOptions[] issuers) => new() { SigningKey = Convert.ToBase64String(new byte[32]), Issuers = issuers };

    [Fact]
    public void Https_issuers_with_audiences_are_accepted()
    {
        Assert.Null(AuthenticationSetup.IssuersProblem(With(
            new OidcIssuerOptions { Issuer = "https://login.example.com/realms/a", Audiences = ["sluice"] },
            new OidcIssuerOptions { Issuer = "http://127.0.0.1:5000", Audiences = ["sluice"], RequireHttpsMetadata = false })));
    }

    [Fact]
    public void Discovery_defaults_to_the_well_known_address_of_the_issuer() =>
        Assert.Equal("https://login.example.com/realms/a/.well-known/openid-configuration",
            new OidcIssuerOptions { Issuer = "https://login.example.com/realms/a/" }.DiscoveryAddress());

    [Theory]
    [InlineData("not a url", "https://x/.well-known/openid-configuration", "sluice", "absolute URL")]
    [InlineData("http://idp.example.com", null, "sluice", "not HTTPS")]
    [InlineData("https://idp.example.com", null, "", "Audiences")]
    [InlineData("sluice", null, "sluice", "absolute URL")]
    public void Misconfigured_issuers_are_refused_at_start(string issuer, string? metadata, string audience, string problem)
    {
        var options = With(new OidcIssuerOptions { Issuer = issuer, MetadataAddress = metadata, Audiences = audience.Length == 0 ? [] : [audience] });
        Assert.Contains(problem, AuthenticationSetup.IssuersProblem(options), StringComparison.Ordinal);
    }

    [Fact]
    public void An_issuer_configured_twice_is_refused()
    {
        var issuer = new OidcIssuerOptions { Issuer = "https://idp.example.com", Audiences = ["sluice"] };
        Assert.Contains("twice", AuthenticationSetup.IssuersProblem(With(issuer, issuer)), StringComparison.Ordinal);
    }
}
