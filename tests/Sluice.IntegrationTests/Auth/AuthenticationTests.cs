using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Grpc.Core;
using Sluice.Client;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Auth;

[Collection(ClusterCollection.Name)]
public sealed class AuthenticationTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Requests_without_a_valid_token_are_unauthenticated()
    {
        var tenant = await cluster.CreateTenantAsync();
        using (var anonymous = cluster.CreateHttpClient(null))
        {
            await Problem.AssertAsync(await anonymous.GetAsync("/v1/streams"), HttpStatusCode.Unauthorized, "bearer token is required");
        }

        using (var forged = cluster.CreateHttpClient(cluster.IssueToken(tenant.Name, TimeSpan.FromHours(1), RandomNumberGenerator.GetBytes(48))))
        {
            await Problem.AssertAsync(await forged.GetAsync("/v1/streams"), HttpStatusCode.Unauthorized, "invalid");
        }

        using (var expired = cluster.CreateHttpClient(cluster.IssueToken(tenant.Name, TimeSpan.FromMinutes(1), notBefore: DateTime.UtcNow.AddHours(-2))))
        {
            await Problem.AssertAsync(await expired.GetAsync("/v1/streams"), HttpStatusCode.Unauthorized, "expired");
        }

        using (var wrongAudience = cluster.CreateHttpClient(cluster.IssueToken(tenant.Name, TimeSpan.FromHours(1), audience: "someone-else")))
        {
            await Problem.AssertAsync(await wrongAudience.GetAsync("/v1/streams"), HttpStatusCode.Unauthorized);
        }

        using (var garbage = cluster.CreateHttpClient("not-a-jwt"))
        {
            await Problem.AssertAsync(await garbage.GetAsync("/v1/streams"), HttpStatusCode.Unauthorized);
        }

        using (var unknownTenant = cluster.CreateHttpClient(cluster.IssueToken("no-such-tenant", TimeSpan.FromHours(1))))
        {
            await Problem.AssertAsync(await unknownTenant.GetAsync("/v1/streams"), HttpStatusCode.Unauthorized, "does not exist");
        }
    }

    [Fact]
    public async Task Grpc_calls_without_a_valid_token_are_unauthenticated()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var anonymous = new SluiceClient(new SluiceClientOptions { Endpoint = cluster.GrpcEndpoint });
        var missing = await Assert.ThrowsAsync<RpcException>(() => anonymous.DescribeStreamAsync("x"));
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);

        using var forged = new SluiceClient(new SluiceClientOptions
        {
            Endpoint = cluster.GrpcEndpoint,
            Token = cluster.IssueToken(tenant.Name, TimeSpan.FromHours(1), RandomNumberGenerator.GetBytes(48)),
        });
        var invalid = await Assert.ThrowsAsync<RpcException>(() => forged.DescribeStreamAsync("x"));
        Assert.Equal(StatusCode.Unauthenticated, invalid.StatusCode);
    }

    [Fact]
    public async Task Another_tenants_stream_answers_exactly_like_a_missing_one()
    {
        var owner = await cluster.CreateTenantAsync("owner");
        var other = await cluster.CreateTenantAsync("other");
        using var ownerHttp = cluster.CreateHttpClient(owner.Token);
        using var otherHttp = cluster.CreateHttpClient(other.Token);
        (await ownerHttp.PostAsJsonAsync("/v1/streams", new { name = "private", shardCount = 1 })).EnsureSuccessStatusCode();
        (await ownerHttp.PostAsJsonAsync("/v1/streams/private/records", new { records = new[] { new { partitionKey = "k", data = "c2VjcmV0" } } })).EnsureSuccessStatusCode();

        async Task<(HttpStatusCode, string)> Shape(HttpResponseMessage response)
        {
            var json = await response.Content.ReadFromJsonAsync<JsonElement>();
            var detail = json.GetProperty("detail").GetString()!.Replace("private", "NAME", StringComparison.Ordinal).Replace("missing", "NAME", StringComparison.Ordinal);
            return (response.StatusCode, detail);
        }

        foreach (var (path, method, body) in new (string, HttpMethod, object?)[]
        {
            ("/v1/streams/{0}", HttpMethod.Get, null),
            ("/v1/streams/{0}", HttpMethod.Delete, null),
            ("/v1/streams/{0}/records", HttpMethod.Post, new { records = new[] { new { partitionKey = "k", data = "eA==" } } }),
            ("/v1/streams/{0}/shards/shardId-000000000000/records?from=oldest", HttpMethod.Get, null),
        })
        {
            using var foreign = new HttpRequestMessage(method, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, "private")) { Content = body is null ? null : JsonContent.Create(body) };
            using var missing = new HttpRequestMessage(method, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, "missing")) { Content = body is null ? null : JsonContent.Create(body) };
            var foreignShape = await Shape(await otherHttp.SendAsync(foreign));
            var missingShape = await Shape(await otherHttp.SendAsync(missing));
            Assert.Equal(HttpStatusCode.NotFound, foreignShape.Item1);
            Assert.Equal(missingShape, foreignShape);
        }

        var otherList = await otherHttp.GetFromJsonAsync<JsonElement>("/v1/streams");
        Assert.Empty(otherList.GetProperty("streams").EnumerateArray());

        // The owner's stream and record are untouched by the other tenant's attempts.
        var read = await ownerHttp.GetFromJsonAsync<JsonElement>("/v1/streams/private/shards/shardId-000000000000/records?from=oldest");
        Assert.Single(read.GetProperty("records").EnumerateArray());

        // The same name is free for the other tenant.
        (await otherHttp.PostAsJsonAsync("/v1/streams", new { name = "private", shardCount = 1 })).EnsureSuccessStatusCode();
        var otherRead = await otherHttp.GetFromJsonAsync<JsonElement>("/v1/streams/private/shards/shardId-000000000000/records?from=oldest");
        Assert.Empty(otherRead.GetProperty("records").EnumerateArray());
    }
}
