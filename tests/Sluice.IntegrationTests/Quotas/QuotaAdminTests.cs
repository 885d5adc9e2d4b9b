using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Quotas;

/// <summary>The quota and usage admin endpoints: who may read and change what, validation, audit, and usage rows from real traffic.</summary>
[Collection(QuotaClusterCollection.Name)]
public sealed class QuotaAdminTests(QuotaClusterFixture cluster)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Only_a_platform_admin_sets_a_tenant_quota_and_every_change_is_audited()
    {
        var tenant = await cluster.CreateTenantAsync("qq");
        var other = await cluster.CreateTenantAsync("qo");
        using var admin = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromMinutes(10)));
        using var own = cluster.CreateHttpClient(tenant.Token);
        using var foreign = cluster.CreateHttpClient(other.Token);
        var path = $"/admin/v1/tenants/{tenant.Name}/quotas";

        // The tenant admin reads its quotas (the defaults) but may not raise them.
        var read = await own.GetFromJsonAsync<JsonObject>(path);
        Assert.Null(read!["ingressBytesPerSecond"]);
        Assert.Equal(QuotaClusterFixture.TenantBytes, (long)read["effectiveIngressBytesPerSecond"]!);
        Assert.Equal(QuotaClusterFixture.ShardIngressBytes, (long)read["shard"]!["ingressBytesPerSecond"]!);
        await Problem.AssertAsync(await own.PutAsJsonAsync(path, new { ingressBytesPerSecond = 1L << 30 }), HttpStatusCode.Forbidden, "platform-admin");
        await Problem.AssertAsync(await own.DeleteAsync(path), HttpStatusCode.Forbidden);

        // Another tenant's admin learns nothing: the 404 of a missing tenant.
        await Problem.AssertAsync(await foreign.GetAsync(path), HttpStatusCode.NotFound, $"Tenant '{tenant.Name}' not found.");
        await Problem.AssertAsync(await foreign.PutAsJsonAsync(path, new { ingressBytesPerSecond = 5 }), HttpStatusCode.NotFound);
        await Problem.AssertAsync(await admin.GetAsync("/admin/v1/tenants/no-such-tenant/quotas"), HttpStatusCode.NotFound, "Tenant 'no-such-tenant' not found.");

        // Validation.
        await Problem.AssertAsync(await admin.PutAsJsonAsync(path, new { ingressBytesPerSecond = 0 }), HttpStatusCode.BadRequest, "'ingressBytesPerSecond' must be between 1 and");
        await Problem.AssertAsync(await admin.PutAsJsonAsync(path, new { egressBytesPerSecond = -1 }), HttpStatusCode.BadRequest, "'egressBytesPerSecond'");
        await Problem.AssertAsync(await admin.PutAsJsonAsync(path, new { ingressBytesPerSecond = (1L << 40) + 1 }), HttpStatusCode.BadRequest);

        // Set, read back, clear.
        var set = await admin.PutAsJsonAsync(path, new { ingressBytesPerSecond = 5000, egressBytesPerSecond = 7000 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        read = await own.GetFromJsonAsync<JsonObject>(path);
        Assert.Equal(5000, (long)read!["ingressBytesPerSecond"]!);
        Assert.Equal(7000, (long)read["effectiveEgressBytesPerSecond"]!);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(path)).StatusCode);
        read = await admin.GetFromJsonAsync<JsonObject>(path);
        Assert.Null(read!["egressBytesPerSecond"]);

        var audited = await AuditAsync(tenant.Id);
        Assert.Equal(["quota.set", "quota.clear"], audited.Select(a => a.Action));
        Assert.Equal("test-admin", audited[0].Actor);
        Assert.Contains("\"ingressBytesPerSecond\": 5000", audited[0].Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tenant_admin_limits_its_own_streams_and_the_gateway_applies_it_within_seconds()
    {
        var tenant = await cluster.CreateTenantAsync("qs");
        var other = await cluster.CreateTenantAsync("qt");
        using var own = cluster.CreateHttpClient(tenant.Token);
        using var foreign = cluster.CreateHttpClient(other.Token);
        using var grpc = cluster.CreateClient(tenant);
        var stream = $"qs-{Guid.NewGuid():N}";
        await grpc.CreateStreamAsync(stream, 1);
        var path = $"/admin/v1/tenants/{tenant.Name}/streams/{stream}/quotas";

        await Problem.AssertAsync(await own.GetAsync($"/admin/v1/tenants/{tenant.Name}/streams/no-such-stream/quotas"), HttpStatusCode.NotFound, "Stream no-such-stream not found.");
        // Another tenant's stream, through that tenant's own route: 404, as if missing.
        using (var otherGrpc = cluster.CreateClient(other))
        {
            await otherGrpc.CreateStreamAsync(stream + "-o", 1);
        }

        await Problem.AssertAsync(await own.GetAsync($"/admin/v1/tenants/{tenant.Name}/streams/{stream}-o/quotas"), HttpStatusCode.NotFound, $"Stream {stream}-o not found.");
        await Problem.AssertAsync(await foreign.PutAsJsonAsync(path, new { ingressBytesPerSecond = 100 }), HttpStatusCode.NotFound);
        await Problem.AssertAsync(await own.PutAsJsonAsync(path, new { ingressBytesPerSecond = 0 }), HttpStatusCode.BadRequest);

        var set = await own.PutAsJsonAsync(path, new { ingressBytesPerSecond = 4096 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(4096, (long)(await own.GetFromJsonAsync<JsonObject>(path))!["ingressBytesPerSecond"]!);

        // 3 KiB puts: the first takes most of the stream's 4 KiB burst, one soon after is refused by the stream's bucket.
        string? refusal = null;
        var deadline = Stopwatch.StartNew();
        while (refusal is null)
        {
            Assert.True(deadline.Elapsed < Bound, "the stream's quota never refused a put");
            var response = await own.PostAsJsonAsync($"/v1/streams/{stream}/records", new { records = new[] { new { partitionKey = "k", data = Convert.ToBase64String(new byte[3000]) } } });
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refusal = (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>();
            }
        }

        Assert.Contains($"Rate exceeded for stream {stream}", refusal, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await own.DeleteAsync(path)).StatusCode);
        Assert.Null((await own.GetFromJsonAsync<JsonObject>(path))!["ingressBytesPerSecond"]);
        Assert.Equal(["quota.set", "quota.clear"], (await AuditAsync(tenant.Id)).Select(a => a.Action));
    }

    [Fact]
    public async Task Usage_of_a_tenant_is_stored_per_minute_and_stream_and_only_its_admins_read_it()
    {
        var tenant = await cluster.CreateTenantAsync("qu");
        var other = await cluster.CreateTenantAsync("qv");
        using var own = cluster.CreateHttpClient(tenant.Token);
        using var foreign = cluster.CreateHttpClient(other.Token);
        using var admin = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromMinutes(10)));
        using var grpc = cluster.CreateClient(tenant);
        var stream = $"qu-{Guid.NewGuid():N}";
        await grpc.CreateStreamAsync(stream, 1);
        var from = DateTimeOffset.UtcNow.AddMinutes(-1);

        // 10 records of 100 bytes data and a 2-byte key, then read them once.
        var records = Enumerable.Range(0, 10).Select(i => new { partitionKey = $"k{i}", data = Convert.ToBase64String(new byte[100]) }).ToArray();
        Assert.Equal(HttpStatusCode.OK, (await own.PostAsJsonAsync($"/v1/streams/{stream}/records", new { records })).StatusCode);
        var page = await own.GetFromJsonAsync<JsonObject>($"/v1/streams/{stream}/shards/shardId-000000000000/records?from=oldest");
        Assert.Equal(10, page!["records"]!.AsArray().Count);

        // Then writes over the shard's rate until a put is refused: counted as throttled.
        var deadline = Stopwatch.StartNew();
        long throttled = 0;
        long extraRecords = 0;
        while (throttled == 0)
        {
            Assert.True(deadline.Elapsed < Bound, "never throttled");
            var response = await own.PostAsJsonAsync($"/v1/streams/{stream}/records", new { records = new[] { new { partitionKey = "kk", data = Convert.ToBase64String(new byte[10_000]) } } });
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                throttled++;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                extraRecords++;
            }
        }

        var query = $"/admin/v1/tenants/{tenant.Name}/usage?stream={stream}&from={Uri.EscapeDataString(from.ToString("O"))}";
        JsonArray rows = [];
        await Wait.UntilAsync(async () =>
        {
            rows = (await own.GetFromJsonAsync<JsonObject>(query))!["usage"]!.AsArray();
            return Sum(rows, "recordsIn") == 10 + extraRecords && Sum(rows, "recordsOut") == 10 && Sum(rows, "throttled") >= 1;
        }, Bound, () => $"usage rows: {rows.ToJsonString()}");

        Assert.Equal((10 * 102) + (extraRecords * 10_002), Sum(rows, "bytesIn"));
        Assert.Equal(10 * 102, Sum(rows, "bytesOut"));
        Assert.All(rows, r => Assert.Equal(stream, (string)r!["stream"]!));

        // By the hour: the same sums in at most two rows (the minutes may straddle an hour).
        var hourly = (await admin.GetFromJsonAsync<JsonObject>(query + "&granularity=hour"))!;
        Assert.Equal("hour", (string)hourly["granularity"]!);
        var hours = hourly["usage"]!.AsArray();
        Assert.InRange(hours.Count, 1, 2);
        Assert.Equal(Sum(rows, "bytesIn"), Sum(hours, "bytesIn"));
        Assert.All(hours, h => Assert.Equal(0, ((DateTimeOffset)h!["start"]!).Minute));

        // Nobody else's business.
        await Problem.AssertAsync(await foreign.GetAsync(query), HttpStatusCode.NotFound, $"Tenant '{tenant.Name}' not found.");
        await Problem.AssertAsync(await own.GetAsync(query + "&granularity=day"), HttpStatusCode.BadRequest, "granularity");
        await Problem.AssertAsync(await own.GetAsync($"/admin/v1/tenants/{tenant.Name}/usage?from=2026-01-10T00:00:00Z&to=2026-01-01T00:00:00Z"), HttpStatusCode.BadRequest, "'to' must be after 'from'");
        await Problem.AssertAsync(await own.GetAsync($"/admin/v1/tenants/{tenant.Name}/usage?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z"), HttpStatusCode.BadRequest, "at most 7 days");
        using var anonymous = cluster.CreateHttpClient(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(query)).StatusCode);
    }

    private static long Sum(JsonArray rows, string field) => rows.Sum(r => (long)r![field]!);

    private async Task<List<(string Action, string Actor, string Details)>> AuditAsync(Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(cluster.MetadataConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT action, actor, coalesce(details::text, '') FROM audit_log WHERE tenant_id = @t ORDER BY id", connection);
        query.Parameters.AddWithValue("t", tenantId);
        var entries = new List<(string, string, string)>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return entries;
    }
}
