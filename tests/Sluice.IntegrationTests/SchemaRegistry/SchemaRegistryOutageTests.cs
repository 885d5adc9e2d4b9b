using System.Net;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.SchemaRegistry;

/// <summary>PostgreSQL unreachable: the registry answers 50001 in Confluent's shape, writes nothing, and works again once it is back.</summary>
[Collection(MetadataOutageCollection.Name)]
public sealed class SchemaRegistryOutageTests(MetadataOutageFixture cluster)
{
    [Fact]
    public async Task With_postgresql_down_the_registry_answers_50001_and_nothing_is_half_written()
    {
        var tenant = await cluster.CreateTenantAsync("srout");
        using var registry = new RegistryHttpClient(cluster.CreateHttpClient(tenant.Token));
        var subject = $"orders-{Guid.NewGuid():N}";
        var id = await registry.RegisterAsync(subject, TestSchemas.Json("a"));
        await registry.OkAsync(HttpMethod.Put, $"/config/{subject}", new { compatibility = "NONE" });

        cluster.MetadataProxy!.Cut();
        try
        {
            Assert.Contains("store", await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{subject}/versions", 50001,
                new { schema = TestSchemas.Json("b"), schemaType = "JSON" }), StringComparison.Ordinal);
            await registry.ErrorAsync(HttpMethod.Get, $"/schemas/ids/{id}", 50001);
            await registry.ErrorAsync(HttpMethod.Delete, $"/subjects/{subject}", 50001);
        }
        finally
        {
            cluster.MetadataProxy.Restore();
        }

        await Wait.UntilAsync(async () => (await registry.SendAsync(HttpMethod.Get, $"/subjects/{subject}/versions")).Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), () => "the registry to answer again");
        Assert.Equal([1], (await registry.GetAsync($"/subjects/{subject}/versions?deleted=true")).EnumerateArray().Select(v => v.GetInt32()));
        await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{subject}", 40403, new { schema = TestSchemas.Json("b"), schemaType = "JSON" });
        await registry.RegisterAsync(subject, TestSchemas.Json("b"));
        Assert.Equal(2, (await registry.GetAsync($"/subjects/{subject}/versions/latest")).GetProperty("version").GetInt32());
    }
}
