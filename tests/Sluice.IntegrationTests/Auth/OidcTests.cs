using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Grpc.Core;
using Sluice.Client;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Auth;

/// <summary>
/// Tokens of external OpenID Connect issuers (WireMock.Net serving discovery and JWKS): tenant and roles from each issuer's configured
/// claims, key rotation without a restart, and every kind of bad token refused with 401 on REST, gRPC and admin.
/// </summary>
[Collection(OidcClusterCollection.Name)]
public sealed class OidcTests(OidcClusterFixture cluster)
{
    private const string Custom = OidcClusterFixture.Custom;
    private const string Audience = OidcClusterFixture.Audience;

    [Fact]
    public async Task Tokens_of_each_issuer_name_the_tenant_and_roles_from_its_own_claims()
    {
        var tenant = await cluster.CreateTenantAsync("oidc");
        var admin = cluster.Issuer.Issue(Custom, cluster.CustomKey, Audience, [new("sub", "alice"), new("org", tenant.Name), new("groups", "tenant-admin")]);
        using (var http = cluster.CreateHttpClient(admin))
        {
            using var create = await http.PostAsJsonAsync("/v1/streams", new { name = "orders", shardCount = 1 });
            Assert.Equal(HttpStatusCode.Created, create.StatusCode);
            (await http.GetAsync($"/admin/v1/tenants/{tenant.Name}/principals")).EnsureSuccessStatusCode();
        }

        using (var grpc = new SluiceClient(new SluiceClientOptions { Endpoint = cluster.GrpcEndpoint, Token = admin }))
        {
            Assert.Equal("orders", (await grpc.DescribeStreamAsync("orders")).Name);
        }

        // The other issuer uses the gateway's own claim names.
        var plain = cluster.Issuer.Issue(OidcClusterFixture.Plain, cluster.PlainKey, Audience, [new("sub", "bob"), new("tenant", tenant.Name), new("role", "tenant-admin")]);
        using (var http = cluster.CreateHttpClient(plain))
        {
            (await http.GetAsync("/v1/streams/orders")).EnsureSuccessStatusCode();
        }

        // Without the role in the configured claim the user is only what its ACLs allow: nothing yet.
        var member = cluster.Issuer.Issue(Custom, cluster.CustomKey, Audience, [new("sub", "carol"), new("org", tenant.Name), new("groups", "analysts")]);
        using (var http = cluster.CreateHttpClient(member))
        {
            await Problem.AssertAsync(await http.GetAsync("/v1/streams/orders"), HttpStatusCode.Forbidden, "user:carol");
            await Problem.AssertAsync(await http.GetAsync($"/admin/v1/tenants/{tenant.Name}/principals"), HttpStatusCode.NotFound);
        }

        // The gateway's own claim names count for nothing in this issuer's tokens: only org and groups do.
        var spoofed = cluster.Issuer.Issue(Custom, cluster.CustomKey, Audience, [new("sub", "dave"), new("tenant", tenant.Name), new("role", "tenant-admin")]);
        using (var http = cluster.CreateHttpClient(spoofed))
        {
            await Problem.AssertAsync(await http.GetAsync("/v1/streams/orders"), HttpStatusCode.Unauthorized, "claim naming a tenant");
        }

        // An external issuer does not make platform admins unless configured to.
        var operatorToken = cluster.Issuer.Issue(Custom, cluster.CustomKey, Audience, [new("sub", "eve"), new("org", tenant.Name), new("groups", "platform-admin")]);
        using (var http = cluster.CreateHttpClient(operatorToken))
        {
            await Problem.AssertAsync(await http.GetAsync("/admin/v1/cluster/nodes"), HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task Forged_expired_misaddressed_and_unsigned_tokens_are_refused_on_every_face()
    {
        var tenant = await cluster.CreateTenantAsync("bad");
        Claim[] claims = [new("sub", "mallory"), new("org", tenant.Name), new("groups", "tenant-admin")];
        using var stranger = new OidcIssuer.SigningKey(cluster.CustomKey.KeyId);
        using var unpublished = new OidcIssuer.SigningKey("never-published");
        var issuer = cluster.Issuer.IssuerOf(Custom);
        var good = cluster.Issuer.Issue(Custom, cluster.CustomKey, Audience, claims);
        var bad = new Dictionary<string, string>
        {
            ["forged signature (the published key id, another key)"] = cluster.Issuer.Issue(Custom, stranger, Audience, claims),
            ["a key the issuer never published"] = cluster.Issuer.Issue(Custom, unpublished, Audience, claims),
            ["expired"] = cluster.Issuer.Issue(Custom, cluster.CustomKey, Audience, claims, TimeSpan.FromMinutes(5), DateTime.UtcNow.AddHours(-2)),
            ["wrong audience"] = cluster.Issuer.Issue(Custom, cluster.CustomKey, "someone-else", claims),
            ["unconfigured issuer"] = cluster.Issuer.Issue(Custom, cluster.CustomKey, Audience, claims, issuer: cluster.Issuer.IssuerOf("elsewhere")),
            ["another configured issuer's key"] = cluster.Issuer.Issue(Custom, cluster.PlainKey, Audience, claims),
            ["alg none, external issuer"] = OidcIssuer.UnsignedToken(issuer, Audience, new Dictionary<string, object> { ["sub"] = "mallory", ["org"] = tenant.Name, ["groups"] = "tenant-admin" }),
            ["alg none, built-in issuer"] = OidcIssuer.UnsignedToken("sluice", "sluice", new Dictionary<string, object> { ["sub"] = "mallory", ["tenant"] = tenant.Name, ["role"] = "tenant-admin" }),
            ["HS256 keyed with the public key"] = OidcIssuer.HmacWithPublicKey(issuer, Audience, cluster.CustomKey, claims),
        };

        // The same requests with a good token succeed, so each refusal below is the token's doing.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(good, "/v1/streams"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(good, $"/admin/v1/tenants/{tenant.Name}/principals"));
        foreach (var (what, token) in bad)
        {
            using var http = cluster.CreateHttpClient(token);
            var rest = await Problem.AssertAsync(await http.GetAsync("/v1/streams"), HttpStatusCode.Unauthorized);
            Assert.True(rest.GetProperty("detail").GetString() is "The bearer token is invalid." or "The bearer token has expired.", $"{what}: {rest}");
            await Problem.AssertAsync(await http.GetAsync($"/admin/v1/tenants/{tenant.Name}/principals"), HttpStatusCode.Unauthorized);
            using var grpc = new SluiceClient(new SluiceClientOptions { Endpoint = cluster.GrpcEndpoint, Token = token });
            var error = await Assert.ThrowsAsync<RpcException>(() => grpc.DescribeStreamAsync("anything"));
            Assert.True(error.StatusCode == StatusCode.Unauthenticated, $"{what}: {error.Status}");
        }
    }

    [Fact]
    public async Task A_key_rotated_in_after_start_is_accepted_without_a_restart_and_unknown_key_ids_fetch_keys_only_so_often()
    {
        var tenant = await cluster.CreateTenantAsync("rotate");
        Claim[] claims = [new("sub", "rotor"), new("org", tenant.Name), new("groups", "tenant-admin")];
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(cluster.Issuer.Issue(Custom, cluster.CustomKey, Audience, claims), "/v1/streams"));

        using var next = new OidcIssuer.SigningKey($"custom-{Guid.NewGuid():N}");
        var rotated = cluster.Issuer.Issue(Custom, next, Audience, claims);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(rotated, "/v1/streams"));

        // The issuer publishes the new key beside the old one; the gateway, seeing the unknown key id, fetches the keys again.
        cluster.Issuer.Publish(Custom, cluster.CustomKey, next);
        await Wait.UntilAsync(async () => await StatusAsync(rotated, "/v1/streams") == HttpStatusCode.OK,
            TimeSpan.FromSeconds(15), () => "a token signed with the rotated-in key to be accepted");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(cluster.Issuer.Issue(Custom, cluster.CustomKey, Audience, claims), "/v1/streams"));

        // A burst of tokens with made-up key ids fetches the keys at most once per refresh interval.
        var before = cluster.Issuer.JwksFetches(Custom);
        var started = DateTime.UtcNow;
        for (var i = 0; i < 20; i++)
        {
            using var madeUp = new OidcIssuer.SigningKey($"made-up-{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(cluster.Issuer.Issue(Custom, madeUp, Audience, claims), "/v1/streams"));
        }

        var intervals = (int)Math.Ceiling((DateTime.UtcNow - started) / OidcClusterFixture.KeyRefreshInterval);
        var fetched = cluster.Issuer.JwksFetches(Custom) - before;
        Assert.True(fetched <= intervals + 1, $"{fetched} JWKS fetches for 20 unknown key ids within {intervals} refresh intervals");
    }

    private async Task<HttpStatusCode> StatusAsync(string token, string path)
    {
        using var http = cluster.CreateHttpClient(token);
        using var response = await http.GetAsync(path);
        return response.StatusCode;
    }
}
