using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Faults;

/// <summary>PostgreSQL unreachable: readiness fails, requests get a retriable 503, and all recovers on its own.</summary>
[Collection(MetadataOutageCollection.Name)]
public sealed class MetadataOutageTests(MetadataOutageFixture cluster)
{
    [Fact]
    public async Task When_postgresql_is_down_readiness_fails_and_requests_get_503_until_it_returns()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var http = cluster.CreateHttpClient(tenant.Token);
        (await http.PostAsJsonAsync("/v1/streams", new { name = "before", shardCount = 1 })).EnsureSuccessStatusCode();

        cluster.MetadataProxy!.Cut();
        try
        {
            await Wait.UntilAsync(async () => (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(20), () => "readiness to fail");
            var ready = await (await http.GetAsync("/readyz")).Content.ReadFromJsonAsync<JsonElement>();
            Assert.False(ready.GetProperty("metadata").GetBoolean());

            using var create = await http.PostAsJsonAsync("/v1/streams", new { name = "during", shardCount = 1 });
            await Problem.AssertAsync(create, HttpStatusCode.ServiceUnavailable, "metadata store is unavailable");
            Assert.NotNull(create.Headers.RetryAfter);

            // Calls that read the catalog get the same answer rather than a 500 (records keep using the last known route).
            await Wait.UntilAsync(async () =>
            {
                using var list = await http.GetAsync("/v1/streams/before");
                return list.StatusCode == HttpStatusCode.ServiceUnavailable;
            }, TimeSpan.FromSeconds(20), () => "describe to answer 503");
        }
        finally
        {
            cluster.MetadataProxy.Restore();
        }

        await Wait.UntilAsync(async () => (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), () => "readiness to recover");
        (await http.PostAsJsonAsync("/v1/streams", new { name = "after", shardCount = 1 })).EnsureSuccessStatusCode();
    }
}
