using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.SchemaRegistry;

/// <summary>Soft and hard deletes as Confluent defines them, and version numbers that are never given twice within a subject.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SchemaRegistryDeleteTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Soft_deleted_versions_are_hidden_unless_asked_for_and_only_they_may_be_hard_deleted()
    {
        var tenant = await cluster.CreateTenantAsync("srdel");
        using var registry = new RegistryHttpClient(cluster.CreateHttpClient(tenant.Token));
        var subject = $"orders-{Guid.NewGuid():N}";
        await registry.OkAsync(HttpMethod.Put, $"/config/{subject}", new { compatibility = "NONE" });
        var first = await registry.RegisterAsync(subject, TestSchemas.Json("a"));
        await registry.RegisterAsync(subject, TestSchemas.Json("b"));

        Assert.Contains("was not deleted first", await registry.ErrorAsync(HttpMethod.Delete, $"/subjects/{subject}/versions/1?permanent=true", 40407), StringComparison.Ordinal);
        Assert.Equal(1, (await registry.OkAsync(HttpMethod.Delete, $"/subjects/{subject}/versions/1")).GetInt32());
        Assert.Equal([2], (await registry.GetAsync($"/subjects/{subject}/versions")).EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal([1, 2], (await registry.GetAsync($"/subjects/{subject}/versions?deleted=true")).EnumerateArray().Select(v => v.GetInt32()));
        await registry.ErrorAsync(HttpMethod.Get, $"/subjects/{subject}/versions/1", 40402);
        Assert.Equal(first, (await registry.GetAsync($"/subjects/{subject}/versions/1?deleted=true")).GetProperty("id").GetInt32());
        await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{subject}", 40403, new { schema = TestSchemas.Json("a"), schemaType = "JSON" });
        Assert.Equal(1, (await registry.OkAsync(HttpMethod.Post, $"/subjects/{subject}?deleted=true", new { schema = TestSchemas.Json("a"), schemaType = "JSON" })).GetProperty("version").GetInt32());
        await registry.ErrorAsync(HttpMethod.Delete, $"/subjects/{subject}/versions/1", 40406);
        // A soft-deleted schema's id still answers (records written with it must stay readable).
        await registry.GetAsync($"/schemas/ids/{first}");

        Assert.Equal(1, (await registry.OkAsync(HttpMethod.Delete, $"/subjects/{subject}/versions/1?permanent=true")).GetInt32());
        Assert.Equal([2], (await registry.GetAsync($"/subjects/{subject}/versions?deleted=true")).EnumerateArray().Select(v => v.GetInt32()));
        await registry.ErrorAsync(HttpMethod.Get, $"/schemas/ids/{first}", 40403);
        await registry.ErrorAsync(HttpMethod.Delete, $"/subjects/{subject}/versions/1?permanent=true", 40402);

        // Registering the hard-deleted schema again gives a new version number (and a new id: the old one is gone).
        var again = await registry.RegisterAsync(subject, TestSchemas.Json("a"));
        Assert.NotEqual(first, again);
        Assert.Equal(3, (await registry.GetAsync($"/subjects/{subject}/versions/latest")).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_subject_is_soft_deleted_then_hard_deleted_and_its_version_numbers_are_never_reused()
    {
        var tenant = await cluster.CreateTenantAsync("srdel");
        using var registry = new RegistryHttpClient(cluster.CreateHttpClient(tenant.Token));
        var subject = $"orders-{Guid.NewGuid():N}";
        var other = $"payments-{Guid.NewGuid():N}";
        await registry.OkAsync(HttpMethod.Put, $"/config/{subject}", new { compatibility = "NONE" });
        var own = await registry.RegisterAsync(subject, TestSchemas.Json("a"));
        var shared = await registry.RegisterAsync(subject, TestSchemas.Json("b"));
        Assert.Equal(shared, await registry.RegisterAsync(other, TestSchemas.Json("b")));

        Assert.Contains("was not deleted first", await registry.ErrorAsync(HttpMethod.Delete, $"/subjects/{subject}?permanent=true", 40405), StringComparison.Ordinal);
        Assert.Equal([1, 2], (await registry.OkAsync(HttpMethod.Delete, $"/subjects/{subject}")).EnumerateArray().Select(v => v.GetInt32()));
        Assert.Contains("was soft deleted", await registry.ErrorAsync(HttpMethod.Delete, $"/subjects/{subject}", 40404), StringComparison.Ordinal);
        Assert.DoesNotContain(subject, (await registry.GetAsync("/subjects")).EnumerateArray().Select(s => s.GetString()));
        Assert.Contains(subject, (await registry.GetAsync("/subjects?deleted=true")).EnumerateArray().Select(s => s.GetString()));
        await registry.ErrorAsync(HttpMethod.Get, $"/subjects/{subject}/versions", 40401);
        await registry.ErrorAsync(HttpMethod.Get, $"/subjects/{subject}/versions/latest", 40401);
        Assert.Equal(2, (await registry.GetAsync($"/subjects/{subject}/versions/latest?deleted=true")).GetProperty("version").GetInt32());

        Assert.Equal([1, 2], (await registry.OkAsync(HttpMethod.Delete, $"/subjects/{subject}?permanent=true")).EnumerateArray().Select(v => v.GetInt32()));
        Assert.DoesNotContain(subject, (await registry.GetAsync("/subjects?deleted=true")).EnumerateArray().Select(s => s.GetString()));
        await registry.ErrorAsync(HttpMethod.Delete, $"/subjects/{subject}?permanent=true", 40401);
        // The schema only this subject used is gone; the one another subject uses stays.
        await registry.ErrorAsync(HttpMethod.Get, $"/schemas/ids/{own}", 40403);
        Assert.Equal([other], (await registry.GetAsync($"/schemas/ids/{shared}/subjects")).EnumerateArray().Select(s => s.GetString()));

        await registry.RegisterAsync(subject, TestSchemas.Json("c"));
        Assert.Equal([3], (await registry.GetAsync($"/subjects/{subject}/versions")).EnumerateArray().Select(v => v.GetInt32()));
    }
}
