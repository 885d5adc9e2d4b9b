using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.SchemaRegistry;

/// <summary>
/// Who may use a tenant's registry: bearer tokens and Basic access keys, 40101 without valid credentials, 40301 for a token of no
/// tenant and for a principal whose ACLs do not cover the subject; and another tenant's subjects and ids answer like missing ones.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SchemaRegistryAuthTests(ClusterFixture cluster)
{
    private RegistryHttpClient Registry(AuthenticationHeaderValue? authorization)
    {
        var http = cluster.CreateHttpClient(null);
        http.DefaultRequestHeaders.Authorization = authorization;
        return new RegistryHttpClient(http);
    }

    private static AuthenticationHeaderValue Basic(string user, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{secret}")));

    [Fact]
    public async Task Requests_without_valid_credentials_are_40101_and_a_token_of_no_tenant_is_40301()
    {
        var tenant = await cluster.CreateTenantAsync("srauth");
        var key = await cluster.CreateAccessKeyAsync(tenant, "registry");

        using (var anonymous = Registry(null))
        {
            await anonymous.ErrorAsync(HttpMethod.Get, "/subjects", 40101);
            await anonymous.ErrorAsync(HttpMethod.Post, "/subjects/x/versions", 40101, new { schema = TestSchemas.Json("a"), schemaType = "JSON" });
        }

        using (var wrongSecret = Registry(Basic(key.AccessKeyId, key.SecretAccessKey[..^1] + (key.SecretAccessKey[^1] == 'A' ? "B" : "A"))))
        {
            await wrongSecret.ErrorAsync(HttpMethod.Get, "/subjects", 40101);
        }

        using (var unknownKey = Registry(Basic("SLU" + new string('Q', 17), key.SecretAccessKey)))
        {
            await unknownKey.ErrorAsync(HttpMethod.Get, "/subjects", 40101);
        }

        using (var garbage = Registry(new AuthenticationHeaderValue("Basic", "not-base64!")))
        {
            await garbage.ErrorAsync(HttpMethod.Get, "/subjects", 40101);
        }

        using (var forged = Registry(new AuthenticationHeaderValue("Bearer", cluster.IssueToken(tenant.Name, TimeSpan.FromHours(1), signingKey: new byte[32]))))
        {
            await forged.ErrorAsync(HttpMethod.Get, "/subjects", 40101);
        }

        using (var expired = Registry(new AuthenticationHeaderValue("Bearer",
            cluster.IssueToken(tenant.Name, TimeSpan.FromMinutes(1), notBefore: DateTime.UtcNow.AddHours(-2)))))
        {
            await expired.ErrorAsync(HttpMethod.Get, "/subjects", 40101);
        }

        using (var operatorToken = Registry(new AuthenticationHeaderValue("Bearer", cluster.IssueAdminToken(TimeSpan.FromHours(1)))))
        {
            await operatorToken.ErrorAsync(HttpMethod.Get, "/subjects", 40301);
        }

        // The tenant key (no service account) acts as the tenant's administrator; Confluent's bearer headers are ignored.
        using var basic = Registry(Basic(key.AccessKeyId, key.SecretAccessKey));
        var subject = $"orders-{Guid.NewGuid():N}";
        var id = await basic.RegisterAsync(subject, TestSchemas.Json("a"));
        using var bearer = Registry(new AuthenticationHeaderValue("Bearer", tenant.Token));
        bearer.Http.DefaultRequestHeaders.Add("target-sr-cluster", "lsrc-12345");
        bearer.Http.DefaultRequestHeaders.Add("Confluent-Identity-Pool-Id", "pool-1");
        Assert.Equal(id, (await bearer.GetAsync($"/subjects/{subject}/versions/latest")).GetProperty("id").GetInt32());

        // A disabled key is refused like an unknown one.
        using (var disable = await bearer.Http.PostAsync($"/admin/v1/tenants/{tenant.Name}/access-keys/{key.AccessKeyId}/disable", null))
        {
            Assert.True(disable.IsSuccessStatusCode, $"disable: {(int)disable.StatusCode} {await disable.Content.ReadAsStringAsync()}");
        }

        await Wait.UntilAsync(async () => (await basic.SendAsync(HttpMethod.Get, "/subjects")).Status == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(10), () => "the disabled key to be refused");
        await basic.ErrorAsync(HttpMethod.Get, $"/schemas/ids/{id}", 40101);
    }

    [Fact]
    public async Task A_service_account_key_needs_manage_to_register_and_any_stream_permission_on_the_subject_to_read()
    {
        var tenant = await cluster.CreateTenantAsync("sracl");
        using var admin = cluster.CreateHttpClient(tenant.Token);
        using var owner = new RegistryHttpClient(cluster.CreateHttpClient(tenant.Token));
        var subject = "orders-value";
        var id = await owner.RegisterAsync(subject, TestSchemas.Json("a"));
        var privateId = await owner.RegisterAsync("private-value", TestSchemas.Json("b"));

        var principal = await PostAsync(admin, $"/admin/v1/tenants/{tenant.Name}/principals", new { name = "service:producer", description = "schema client" });
        var key = await cluster.CreateAccessKeyAsync(tenant, "producer", principal.GetProperty("id").GetGuid());
        using var service = Registry(Basic(key.AccessKeyId, key.SecretAccessKey));

        Assert.Contains("service:producer", await service.ErrorAsync(HttpMethod.Post, $"/subjects/{subject}/versions", 40301,
            new { schema = TestSchemas.Json("c"), schemaType = "JSON" }), StringComparison.Ordinal);
        await service.ErrorAsync(HttpMethod.Get, $"/subjects/{subject}/versions/latest", 40301);
        await service.ErrorAsync(HttpMethod.Get, $"/schemas/ids/{id}", 40301);
        Assert.Empty((await service.GetAsync("/subjects")).EnumerateArray());

        await PostAsync(admin, $"/admin/v1/tenants/{tenant.Name}/acls", new { principal = "service:producer", effect = "allow", operation = "consume", streamPattern = "orders-*" });
        await Wait.UntilAsync(async () => (await service.SendAsync(HttpMethod.Get, $"/subjects/{subject}/versions/latest")).Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(10), () => "the consume ACL to take effect");
        Assert.Equal(TestSchemas.Json("a"), (await service.GetAsync($"/schemas/ids/{id}")).GetProperty("schema").GetString());
        Assert.Equal([subject], (await service.GetAsync("/subjects")).EnumerateArray().Select(s => s.GetString()));
        await service.OkAsync(HttpMethod.Post, $"/subjects/{subject}", new { schema = TestSchemas.Json("a"), schemaType = "JSON" });
        await service.ErrorAsync(HttpMethod.Get, $"/schemas/ids/{privateId}", 40301);
        await service.ErrorAsync(HttpMethod.Get, "/subjects/private-value/versions", 40301);
        await service.ErrorAsync(HttpMethod.Post, $"/subjects/{subject}/versions", 40301, new { schema = TestSchemas.Json("c"), schemaType = "JSON" });
        await service.ErrorAsync(HttpMethod.Delete, $"/subjects/{subject}", 40301);
        await service.ErrorAsync(HttpMethod.Put, $"/config/{subject}", 40301, new { compatibility = "NONE" });
        await service.ErrorAsync(HttpMethod.Put, "/config", 40301, new { compatibility = "NONE" });
        await service.ErrorAsync(HttpMethod.Put, "/mode", 40301, new { mode = "READONLY" });

        await PostAsync(admin, $"/admin/v1/tenants/{tenant.Name}/acls", new { principal = "service:producer", effect = "allow", operation = "manage", streamPattern = "orders-*" });
        await Wait.UntilAsync(async () => (await service.SendAsync(HttpMethod.Put, $"/config/{subject}", new { compatibility = "NONE" })).Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(10), () => "the manage ACL to take effect");
        await service.RegisterAsync(subject, TestSchemas.Json("c"));
    }

    [Fact]
    public async Task Another_tenants_subjects_and_ids_answer_exactly_like_missing_ones()
    {
        var owner = await cluster.CreateTenantAsync("srown");
        var other = await cluster.CreateTenantAsync("sroth");
        using var a = new RegistryHttpClient(cluster.CreateHttpClient(owner.Token));
        using var b = new RegistryHttpClient(cluster.CreateHttpClient(other.Token));
        var subject = $"orders-{Guid.NewGuid():N}";
        var missing = $"orders-{Guid.NewGuid():N}";
        var id = await a.RegisterAsync(subject, TestSchemas.Json("a"));
        await a.OkAsync(HttpMethod.Put, $"/config/{subject}", new { compatibility = "FULL" });

        Assert.Empty((await b.GetAsync("/subjects?deleted=true")).EnumerateArray());
        Assert.Empty((await b.GetAsync("/schemas?deleted=true")).EnumerateArray());
        foreach (var (method, path, code, body) in new (HttpMethod, string, int, object?)[]
        {
            (HttpMethod.Get, "/subjects/{0}/versions", 40401, null),
            (HttpMethod.Get, "/subjects/{0}/versions/latest", 40401, null),
            (HttpMethod.Get, "/subjects/{0}/versions/1?deleted=true", 40401, null),
            (HttpMethod.Get, "/subjects/{0}/versions/1/schema", 40401, null),
            (HttpMethod.Post, "/subjects/{0}", 40401, new { schema = TestSchemas.Json("a"), schemaType = "JSON" }),
            (HttpMethod.Delete, "/subjects/{0}/versions/1", 40401, null),
            (HttpMethod.Delete, "/subjects/{0}", 40401, null),
            (HttpMethod.Delete, "/subjects/{0}?permanent=true", 40401, null),
            (HttpMethod.Get, "/config/{0}", 40408, null),
            (HttpMethod.Delete, "/config/{0}", 40401, null),
            (HttpMethod.Get, "/mode/{0}", 40409, null),
            (HttpMethod.Post, "/compatibility/subjects/{0}/versions/latest", 40401, new { schema = TestSchemas.Json("a"), schemaType = "JSON" }),
        })
        {
            var foreign = await b.ErrorAsync(method, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, subject), code, body);
            var absent = await b.ErrorAsync(method, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, missing), code, body);
            Assert.Equal(absent.Replace(missing, "S", StringComparison.Ordinal), foreign.Replace(subject, "S", StringComparison.Ordinal));
        }

        foreach (var path in new[] { "/schemas/ids/{0}", "/schemas/ids/{0}/schema", "/schemas/ids/{0}/versions", "/schemas/ids/{0}/subjects" })
        {
            var foreign = await b.ErrorAsync(HttpMethod.Get, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, id), 40403);
            var absent = await b.ErrorAsync(HttpMethod.Get, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, int.MaxValue), 40403);
            Assert.Equal(absent, foreign);
        }

        // Tenant B configuring a subject of that name configures its own; A's subject is untouched.
        await b.OkAsync(HttpMethod.Put, $"/config/{subject}", new { compatibility = "NONE" });
        await b.OkAsync(HttpMethod.Put, $"/mode/{subject}", new { mode = "READONLY" });
        Assert.Equal("FULL", (await a.GetAsync($"/config/{subject}")).GetProperty("compatibilityLevel").GetString());
        await a.ErrorAsync(HttpMethod.Get, $"/mode/{subject}", 40409);
        Assert.Equal(id, (await a.GetAsync($"/subjects/{subject}/versions/latest")).GetProperty("id").GetInt32());
        Assert.Equal(id, (await a.GetAsync($"/subjects/{subject}/versions/1")).GetProperty("id").GetInt32());
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
