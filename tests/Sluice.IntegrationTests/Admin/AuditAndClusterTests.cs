using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Admin;

/// <summary>The audit log's paging, filters and scoping, and the cluster overview.</summary>
[Collection(AdminClusterCollection.Name)]
public sealed class AuditAndClusterTests(AdminClusterFixture cluster)
{
    [Fact]
    public async Task The_audit_log_pages_newest_first_filters_by_tenant_and_shows_a_tenant_admin_only_its_own()
    {
        using var admin = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromHours(1)));
        var tenant = await admin.CreateTenantAsync(cluster, "aud");
        var other = await admin.CreateTenantAsync(cluster, "aud-other");
        for (var i = 0; i < 3; i++)
        {
            await admin.PostJsonAsync($"/admin/v1/tenants/{tenant.Name}/access-keys", new { description = $"key {i}" }, HttpStatusCode.Created);
        }

        await admin.PostJsonAsync($"/admin/v1/tenants/{other.Name}/access-keys", new { }, HttpStatusCode.Created);

        // Four entries (tenant.create and three access-key.create), two a page, newest first, none of the other tenant's.
        var ids = new List<long>();
        var actions = new List<string>();
        string? before = null;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 4, "paging should end");
            var page = await admin.GetJsonAsync($"/admin/v1/audit?tenant={tenant.Name}&limit=2{before}");
            var entries = page.GetProperty("entries").EnumerateArray().ToList();
            Assert.True(entries.Count <= 2);
            Assert.All(entries, e => Assert.Equal(tenant.Id, e.GetProperty("tenantId").GetGuid()));
            ids.AddRange(entries.Select(e => e.GetProperty("id").GetInt64()));
            actions.AddRange(entries.Select(e => e.GetProperty("action").GetString()!));
            if (page.GetProperty("nextBefore").ValueKind == JsonValueKind.Null)
            {
                break;
            }

            before = $"&before={page.GetProperty("nextBefore").GetInt64()}";
        }

        Assert.Equal(["access-key.create", "access-key.create", "access-key.create", "tenant.create"], actions);
        Assert.Equal(ids.OrderDescending(), ids);

        // Everything, unfiltered, holds both tenants' entries.
        var all = (await admin.GetJsonAsync("/admin/v1/audit?limit=1000")).GetProperty("entries").EnumerateArray().ToList();
        Assert.Contains(all, e => e.TryGetProperty("tenantId", out var t) && t.ValueKind != JsonValueKind.Null && t.GetGuid() == other.Id);
        Assert.Contains(all, e => e.GetProperty("id").GetInt64() == ids[0]);

        await Problem.AssertAsync(await admin.GetAsync("/admin/v1/audit?limit=0"), HttpStatusCode.BadRequest, "Limit 0");
        await Problem.AssertAsync(await admin.GetAsync("/admin/v1/audit?limit=1001"), HttpStatusCode.BadRequest, "Limit 1001");
        await Problem.AssertAsync(await admin.GetAsync("/admin/v1/audit?before=0"), HttpStatusCode.BadRequest, "Before 0");
        await Problem.AssertAsync(await admin.GetAsync("/admin/v1/audit?tenant=no-such-tenant"), HttpStatusCode.NotFound, "not found");

        // A tenant admin reads its own tenant's log, not the whole log nor another tenant's.
        using var owner = cluster.CreateHttpClient(tenant.Token);
        var own = (await owner.GetJsonAsync($"/admin/v1/tenants/{tenant.Name}/audit")).GetProperty("entries").EnumerateArray();
        Assert.Equal(ids, own.Select(e => e.GetProperty("id").GetInt64()));
        await Problem.AssertAsync(await owner.GetAsync("/admin/v1/audit"), HttpStatusCode.Forbidden);
        await Problem.AssertAsync(await owner.GetAsync($"/admin/v1/tenants/{other.Name}/audit"), HttpStatusCode.NotFound, $"Tenant '{other.Name}' not found.");
    }

    [Fact]
    public async Task The_cluster_overview_shows_nodes_with_health_and_each_tenants_streams_and_shards()
    {
        using var admin = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromHours(1)));
        var tenant = await admin.CreateTenantAsync(cluster, "ovw");
        using var rest = cluster.CreateHttpClient(tenant.Token);
        (await rest.PostAsJsonAsync("/v1/streams", new { name = "a", shardCount = 3 })).EnsureSuccessStatusCode();
        (await rest.PostAsJsonAsync("/v1/streams", new { name = "b", shardCount = 1 })).EnsureSuccessStatusCode();

        var overview = await admin.GetJsonAsync("/admin/v1/cluster");
        var node = Assert.Single(overview.GetProperty("nodes").EnumerateArray());
        Assert.Equal("node-1", node.GetProperty("id").GetString());
        Assert.True(node.GetProperty("live").GetBoolean());
        Assert.Equal("healthy", node.GetProperty("health").GetString());
        Assert.InRange(node.GetProperty("heartbeatAgeMs").GetInt64(), 0, 10_000);
        Assert.True(node.GetProperty("replicas").GetInt32() >= 4);
        Assert.True(node.GetProperty("leaders").GetInt32() >= 4);
        Assert.Equal(0, node.GetProperty("laggingReplicas").GetInt32());

        var mine = Assert.Single(overview.GetProperty("tenants").EnumerateArray(), t => t.GetProperty("tenant").GetString() == tenant.Name);
        Assert.Equal((2, 4, "active"), (mine.GetProperty("streams").GetInt32(), mine.GetProperty("openShards").GetInt32(), mine.GetProperty("status").GetString()));
        var totals = overview.GetProperty("totals");
        Assert.Equal((1, 1), (totals.GetProperty("nodes").GetInt32(), totals.GetProperty("liveNodes").GetInt32()));
        Assert.True(totals.GetProperty("openShards").GetInt32() >= 4);
        Assert.Equal(0, totals.GetProperty("shardsWithoutLiveLeader").GetInt32());

        await Problem.AssertAsync(await rest.GetAsync("/admin/v1/cluster"), HttpStatusCode.Forbidden);
        Assert.Equal("node-1", Assert.Single((await admin.GetJsonAsync("/admin/v1/cluster/nodes")).GetProperty("nodes").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Every_admin_endpoint_is_in_the_OpenAPI_document_with_a_summary_and_the_Admin_tag()
    {
        using var http = cluster.CreateHttpClient(null);
        var paths = (await http.GetJsonAsync("/swagger/v1/swagger.json")).GetProperty("paths");
        var expected = new (string Path, string Method)[]
        {
            ("/admin/v1/tenants", "post"), ("/admin/v1/tenants", "get"), ("/admin/v1/tenants/{tenant}", "get"), ("/admin/v1/tenants/{tenant}", "delete"),
            ("/admin/v1/tenants/{tenant}/suspend", "post"), ("/admin/v1/tenants/{tenant}/resume", "post"),
            ("/admin/v1/tenants/{tenant}/access-keys", "post"), ("/admin/v1/tenants/{tenant}/access-keys", "get"),
            ("/admin/v1/tenants/{tenant}/access-keys/{id}/rotate", "post"), ("/admin/v1/tenants/{tenant}/access-keys/{id}/disable", "post"),
            ("/admin/v1/tenants/{tenant}/access-keys/{id}/enable", "post"), ("/admin/v1/tenants/{tenant}/access-keys/{id}", "delete"),
            ("/admin/v1/audit", "get"), ("/admin/v1/tenants/{tenant}/audit", "get"),
            ("/admin/v1/cluster", "get"), ("/admin/v1/cluster/nodes", "get"), ("/admin/v1/cluster/rebalance", "post"), ("/admin/v1/cluster/rebalance", "get"),
        };
        foreach (var (path, method) in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is not in the OpenAPI document");
            Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path} is not in the OpenAPI document");
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()), $"{method} {path} has no summary");
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("description").GetString()), $"{method} {path} has no description");
            Assert.Contains("Admin", operation.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        }
    }

    [Fact]
    public async Task Malformed_requests_get_problem_json_400s()
    {
        using var admin = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromHours(1)));
        using var broken = new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json");
        await Problem.AssertAsync(await admin.PostAsync("/admin/v1/tenants", broken), HttpStatusCode.BadRequest);
        await Problem.AssertAsync(await admin.GetAsync("/admin/v1/tenants?limit=many"), HttpStatusCode.BadRequest);
        await Problem.AssertAsync(await admin.GetAsync("/admin/v1/audit?before=yesterday"), HttpStatusCode.BadRequest);
    }
}
