using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Core;
using Npgsql;
using Sluice.Client;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.IntegrationTests.Kinesis;

namespace Sluice.IntegrationTests.Admin;

/// <summary>
/// <c>/admin/v1/tenants</c>: creation and validation, listing, showing, who may do what, suspension refused on every
/// face within moments (the gateway caches tenants for a minute here, so only the change notification can make it
/// prompt), and deletion that refuses while streams exist unless forced.
/// </summary>
[Collection(AdminClusterCollection.Name)]
public sealed partial class TenantAdminTests(AdminClusterFixture cluster)
{
    [Fact]
    public async Task Tenants_are_created_listed_and_shown_and_bad_names_and_duplicates_are_refused()
    {
        using var admin = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromHours(1)));
        var name = $"adm-{Guid.NewGuid():N}";
        using (var created = await admin.PostAsJsonAsync("/admin/v1/tenants", new { name }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal($"/admin/v1/tenants/{name}", created.Headers.Location?.OriginalString);
            var tenant = await created.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(name, tenant.GetProperty("name").GetString());
            Assert.Matches(AccountId(), tenant.GetProperty("accountId").GetString());
            Assert.Equal("active", tenant.GetProperty("status").GetString());
            Assert.NotEqual(Guid.Empty, tenant.GetProperty("id").GetGuid());
        }

        await Problem.AssertAsync(await admin.PostAsJsonAsync("/admin/v1/tenants", new { name }), HttpStatusCode.Conflict, "already exists");
        foreach (var bad in new[] { "", "Upper", "-leading", "with space", "slash/name", new string('a', 65) })
        {
            await Problem.AssertAsync(await admin.PostAsJsonAsync("/admin/v1/tenants", new { name = bad }), HttpStatusCode.BadRequest, "is invalid");
        }

        await Problem.AssertAsync(await admin.PostAsJsonAsync("/admin/v1/tenants", new { }), HttpStatusCode.BadRequest, "is invalid");

        // Paging walks every tenant in name order, this one among them.
        var names = new List<string>();
        string? start = null;
        while (true)
        {
            var query = start is null ? "/admin/v1/tenants?limit=3" : $"/admin/v1/tenants?limit=3&exclusiveStartName={start}";
            var page = await admin.GetJsonAsync(query);
            var pageNames = page.GetProperty("tenants").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToList();
            Assert.True(pageNames.Count <= 3);
            names.AddRange(pageNames);
            if (!page.GetProperty("hasMore").GetBoolean())
            {
                break;
            }

            start = pageNames[^1];
        }

        Assert.Contains(name, names);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(names.Count, names.Distinct().Count());
        await Problem.AssertAsync(await admin.GetAsync("/admin/v1/tenants?limit=0"), HttpStatusCode.BadRequest, "Limit 0");

        // Show counts what the tenant owns, and its quotas as stored (none: the gateway's defaults).
        var token = cluster.IssueToken(name, TimeSpan.FromHours(1));
        using var owner = cluster.CreateHttpClient(token);
        (await owner.PostAsJsonAsync("/v1/streams", new { name = "orders", shardCount = 2 })).EnsureSuccessStatusCode();
        await owner.PostJsonAsync($"/admin/v1/tenants/{name}/access-keys", new { description = "show" }, HttpStatusCode.Created);
        var shown = await admin.GetJsonAsync($"/admin/v1/tenants/{name}");
        Assert.Equal((1, 1, 0), (shown.GetProperty("streams").GetInt32(), shown.GetProperty("accessKeys").GetInt32(), shown.GetProperty("principals").GetInt32()));
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("quotas").GetProperty("ingressBytesPerSecond").ValueKind);
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("quotas").GetProperty("egressBytesPerSecond").ValueKind);

        // Its tenant admin may show it (and nothing more at this level); another tenant's admin finds no such tenant.
        Assert.Equal(name, (await owner.GetJsonAsync($"/admin/v1/tenants/{name}")).GetProperty("name").GetString());
        await Problem.AssertAsync(await owner.GetAsync("/admin/v1/tenants"), HttpStatusCode.Forbidden);
        await Problem.AssertAsync(await owner.PostAsJsonAsync("/admin/v1/tenants", new { name = $"x-{Guid.NewGuid():N}" }), HttpStatusCode.Forbidden);
        await Problem.AssertAsync(await owner.PostAsync($"/admin/v1/tenants/{name}/suspend", null), HttpStatusCode.Forbidden);
        var other = await admin.CreateTenantAsync(cluster, "other");
        using var stranger = cluster.CreateHttpClient(other.Token);
        var hidden = await Problem.AssertAsync(await stranger.GetAsync($"/admin/v1/tenants/{name}"), HttpStatusCode.NotFound);
        var missing = await Problem.AssertAsync(await admin.GetAsync("/admin/v1/tenants/no-such-tenant"), HttpStatusCode.NotFound);
        Assert.Equal($"Tenant '{name}' not found.", hidden.GetProperty("detail").GetString());
        Assert.Equal("Tenant 'no-such-tenant' not found.", missing.GetProperty("detail").GetString());
        using var anonymous = cluster.CreateHttpClient(null);
        await Problem.AssertAsync(await anonymous.GetAsync($"/admin/v1/tenants/{name}"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_suspended_tenant_is_refused_on_REST_gRPC_and_Kinesis_within_moments_and_resuming_restores_it()
    {
        using var admin = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromHours(1)));
        var tenant = await admin.CreateTenantAsync(cluster, "susp");
        var key = await admin.PostJsonAsync($"/admin/v1/tenants/{tenant.Name}/access-keys", new { description = "suspension" }, HttpStatusCode.Created);
        using var rest = cluster.CreateHttpClient(tenant.Token);
        using var grpc = cluster.CreateClient(tenant);
        using var kinesis = new SignedKinesisClient(cluster.HttpEndpoint, key.GetProperty("accessKeyId").GetString()!, key.GetProperty("secretAccessKey").GetString()!);

        // Every face works, and has the tenant (and key) cached now.
        (await rest.GetAsync("/v1/streams")).EnsureSuccessStatusCode();
        Assert.Equal(StatusCode.NotFound, await GrpcStatusAsync(grpc));
        await kinesis.CallAsync("ListStreams", new { });

        var suspended = await admin.PostJsonAsync($"/admin/v1/tenants/{tenant.Name}/suspend", null, HttpStatusCode.OK);
        Assert.Equal("suspended", suspended.GetProperty("status").GetString());
        await Wait.UntilAsync(async () =>
        {
            using var response = await rest.GetAsync("/v1/streams");
            var (status, body) = await kinesis.SendAsync("ListStreams", new { });
            return response.StatusCode == HttpStatusCode.Unauthorized
                && status == HttpStatusCode.BadRequest && (string?)body?["__type"] == "UnrecognizedClientException";
        }, AdminHttp.PromptTimeout, () => "REST and Kinesis to refuse the suspended tenant");
        await Problem.AssertAsync(await rest.GetAsync("/v1/streams"), HttpStatusCode.Unauthorized, "suspended");
        Assert.Equal(StatusCode.Unauthenticated, await GrpcStatusAsync(grpc));
        await Problem.AssertAsync(await rest.GetAsync($"/admin/v1/tenants/{tenant.Name}/access-keys"), HttpStatusCode.Unauthorized, "suspended");

        // Suspending again changes nothing (and is not audited again); the platform admin still sees it.
        await admin.PostJsonAsync($"/admin/v1/tenants/{tenant.Name}/suspend", null, HttpStatusCode.OK);
        Assert.Equal("suspended", (await admin.GetJsonAsync($"/admin/v1/tenants/{tenant.Name}")).GetProperty("status").GetString());

        var resumed = await admin.PostJsonAsync($"/admin/v1/tenants/{tenant.Name}/resume", null, HttpStatusCode.OK);
        Assert.Equal("active", resumed.GetProperty("status").GetString());
        await Wait.UntilAsync(async () =>
        {
            using var response = await rest.GetAsync("/v1/streams");
            var (status, _) = await kinesis.SendAsync("ListStreams", new { });
            return response.StatusCode == HttpStatusCode.OK && status == HttpStatusCode.OK;
        }, AdminHttp.PromptTimeout, () => "REST and Kinesis to accept the resumed tenant");
        Assert.Equal(StatusCode.NotFound, await GrpcStatusAsync(grpc));

        var audit = await admin.AuditAsync(tenant.Name);
        Assert.Equal(["tenant.resume", "tenant.suspend", "access-key.create", "tenant.create"], audit.Select(e => e.GetProperty("action").GetString()));
        Assert.All(audit.Where(e => e.GetProperty("action").GetString()!.StartsWith("tenant.", StringComparison.Ordinal)), e =>
        {
            Assert.Equal(tenant.Name, e.GetProperty("target").GetString());
            Assert.Equal("test-admin", e.GetProperty("actor").GetString());
            Assert.Equal(JsonValueKind.Null, e.GetProperty("actorTenantId").ValueKind);
            Assert.Equal(tenant.Id, e.GetProperty("tenantId").GetGuid());
            Assert.Equal("127.0.0.1", e.GetProperty("remoteAddress").GetString());
        });
    }

    [Fact]
    public async Task Delete_refuses_while_streams_exist_and_force_deletes_the_streams_shards_keys_and_tenant()
    {
        using var admin = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromHours(1)));
        var tenant = await admin.CreateTenantAsync(cluster, "del");
        var key = await admin.PostJsonAsync($"/admin/v1/tenants/{tenant.Name}/access-keys", new { }, HttpStatusCode.Created);
        using var rest = cluster.CreateHttpClient(tenant.Token);
        (await rest.PostAsJsonAsync("/v1/streams", new { name = "doomed", shardCount = 2 })).EnsureSuccessStatusCode();
        var streamId = await ScalarAsync<long>("SELECT id FROM streams WHERE tenant_id = @tenant", tenant.Id);
        var shardDirectory = Path.Combine(cluster.NodeDataDirectory("node-1"), streamId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(Directory.Exists(shardDirectory), $"{shardDirectory} should hold the stream's shards");

        await Problem.AssertAsync(await admin.DeleteAsync($"/admin/v1/tenants/{tenant.Name}"), HttpStatusCode.Conflict, "1 stream(s)");
        Assert.Equal("active", (await admin.GetJsonAsync($"/admin/v1/tenants/{tenant.Name}")).GetProperty("status").GetString());

        using (var deleted = await admin.DeleteAsync($"/admin/v1/tenants/{tenant.Name}?force=true"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await Problem.AssertAsync(await admin.GetAsync($"/admin/v1/tenants/{tenant.Name}"), HttpStatusCode.NotFound);
        Assert.False(Directory.Exists(shardDirectory), "the storage node should have dropped the stream's shards");
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM streams WHERE tenant_id = @tenant", tenant.Id));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM access_keys WHERE tenant_id = @tenant", tenant.Id));
        using var kinesis = new SignedKinesisClient(cluster.HttpEndpoint, key.GetProperty("accessKeyId").GetString()!, key.GetProperty("secretAccessKey").GetString()!);
        var (status, body) = await kinesis.SendAsync("ListStreams", new { });
        Assert.Equal((HttpStatusCode.BadRequest, "UnrecognizedClientException"), (status, (string?)body?["__type"]));
        await Problem.AssertAsync(await rest.GetAsync("/v1/streams"), HttpStatusCode.Unauthorized, "does not exist");
        await Problem.AssertAsync(await admin.DeleteAsync($"/admin/v1/tenants/{tenant.Name}"), HttpStatusCode.NotFound);

        // The history outlives the tenant: read by its id.
        var audit = await admin.AuditAsync(tenant.Id.ToString());
        var delete = audit.First();
        Assert.Equal("tenant.delete", delete.GetProperty("action").GetString());
        Assert.True(delete.GetProperty("details").GetProperty("force").GetBoolean());
        Assert.Equal(1, delete.GetProperty("details").GetProperty("deletedStreams").GetInt32());
        Assert.Contains(audit, e => e.GetProperty("action").GetString() == "stream.delete" && e.GetProperty("target").GetString() == "doomed");
        Assert.Contains(audit, e => e.GetProperty("action").GetString() == "tenant.suspend");

        // An empty tenant goes without force.
        var empty = await admin.CreateTenantAsync(cluster, "empty");
        using (var gone = await admin.DeleteAsync($"/admin/v1/tenants/{empty.Name}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, gone.StatusCode);
        }
    }

    // Describing a missing stream: NOT_FOUND while the tenant is accepted, UNAUTHENTICATED once it is not.
    private static async Task<StatusCode> GrpcStatusAsync(SluiceClient client)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => client.DescribeStreamAsync("no-such-stream"));
        return error.StatusCode;
    }

    private async Task<T> ScalarAsync<T>(string sql, Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(cluster.MetadataConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [GeneratedRegex("^[1-9][0-9]{11}$")]
    private static partial Regex AccountId();
}
