using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.IntegrationTests.Kinesis;

namespace Sluice.IntegrationTests.Admin;

/// <summary>
/// <c>/admin/v1/tenants/{tenant}/access-keys</c>: the secret shown once and never listed, keys of service accounts,
/// rotation, and disable/enable/delete taking effect on the Kinesis face (whose verifier caches keys for 30 s) within
/// moments, on this gateway and on another. Each change is in the audit log with its actor.
/// </summary>
[Collection(AdminClusterCollection.Name)]
public sealed class AccessKeyAdminTests(AdminClusterFixture cluster)
{
    [Fact]
    public async Task A_tenant_admin_creates_lists_rotates_disables_enables_and_deletes_keys_with_prompt_effect_on_Kinesis()
    {
        using var platform = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromHours(1)));
        var tenant = await platform.CreateTenantAsync(cluster, "keys");
        using var admin = cluster.CreateHttpClient(cluster.IssueToken(tenant.Name, TimeSpan.FromHours(1), subject: "alice"));
        var keys = $"/admin/v1/tenants/{tenant.Name}/access-keys";

        var created = await admin.PostJsonAsync(keys, new { description = "ci pipeline" }, HttpStatusCode.Created);
        var id = created.GetProperty("accessKeyId").GetString()!;
        var secret = created.GetProperty("secretAccessKey").GetString()!;
        Assert.Matches("^SLU[A-Z2-7]{17}$", id);
        Assert.Equal(40, secret.Length);
        Assert.Equal(("ci pipeline", "active"), (created.GetProperty("description").GetString(), created.GetProperty("status").GetString()));
        Assert.Equal(JsonValueKind.Null, created.GetProperty("principal").ValueKind);

        // Listing never shows a secret.
        using (var listed = await admin.GetAsync(keys))
        {
            var raw = await listed.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
            Assert.DoesNotContain(secret, raw, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", raw, StringComparison.OrdinalIgnoreCase);
            var only = Assert.Single(JsonDocument.Parse(raw).RootElement.GetProperty("accessKeys").EnumerateArray());
            Assert.Equal((id, "ci pipeline", "active"), (only.GetProperty("accessKeyId").GetString(), only.GetProperty("description").GetString(), only.GetProperty("status").GetString()));
        }

        using var kinesis = new SignedKinesisClient(cluster.HttpEndpoint, id, secret);
        await kinesis.CallAsync("ListStreams", new { });

        var disabled = await admin.PostJsonAsync($"{keys}/{id}/disable", null, HttpStatusCode.OK);
        Assert.Equal("inactive", disabled.GetProperty("status").GetString());
        await WaitForAnswerAsync(kinesis, refused: true);

        Assert.Equal("active", (await admin.PostJsonAsync($"{keys}/{id}/enable", null, HttpStatusCode.OK)).GetProperty("status").GetString());
        await WaitForAnswerAsync(kinesis, refused: false);

        var rotated = await admin.PostJsonAsync($"{keys}/{id}/rotate", null, HttpStatusCode.Created);
        var newId = rotated.GetProperty("accessKeyId").GetString()!;
        Assert.NotEqual(id, newId);
        Assert.Equal(id, rotated.GetProperty("replaces").GetString());
        Assert.Equal("ci pipeline", rotated.GetProperty("description").GetString());
        using var rotatedClient = new SignedKinesisClient(cluster.HttpEndpoint, newId, rotated.GetProperty("secretAccessKey").GetString()!);
        await rotatedClient.CallAsync("ListStreams", new { });
        await WaitForAnswerAsync(kinesis, refused: true);
        var afterRotation = (await admin.GetJsonAsync(keys)).GetProperty("accessKeys").EnumerateArray()
            .ToDictionary(k => k.GetProperty("accessKeyId").GetString()!, k => k.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string?> { [id] = "inactive", [newId] = "active" }, afterRotation);

        using (var deleted = await admin.DeleteAsync($"{keys}/{newId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await WaitForAnswerAsync(rotatedClient, refused: true);
        await Problem.AssertAsync(await admin.DeleteAsync($"{keys}/{newId}"), HttpStatusCode.NotFound, "has no access key");
        await Problem.AssertAsync(await admin.PostAsync($"{keys}/SLUAAAAAAAAAAAAAAAAA/disable", null), HttpStatusCode.NotFound, "has no access key");
        await Problem.AssertAsync(await admin.PostAsync($"{keys}/SLUAAAAAAAAAAAAAAAAA/rotate", null), HttpStatusCode.NotFound, "has no access key");

        var audit = await platform.AuditAsync(tenant.Name);
        Assert.Equal(
            ["access-key.delete", "access-key.rotate", "access-key.enable", "access-key.disable", "access-key.create", "tenant.create"],
            audit.Select(e => e.GetProperty("action").GetString()));
        Assert.Equal([newId, id, id, id, id], audit.Take(5).Select(e => e.GetProperty("target").GetString()));
        Assert.Equal(newId, audit[1].GetProperty("details").GetProperty("replacedBy").GetString());
        Assert.All(audit.Take(5), e =>
        {
            Assert.Equal("alice", e.GetProperty("actor").GetString());
            Assert.Equal(tenant.Id, e.GetProperty("actorTenantId").GetGuid());
            Assert.Equal(tenant.Id, e.GetProperty("tenantId").GetGuid());
            Assert.Equal("127.0.0.1", e.GetProperty("remoteAddress").GetString());
            Assert.DoesNotContain(secret, e.GetRawText(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Keys_of_service_accounts_name_their_principal_and_unknown_or_user_principals_are_refused()
    {
        using var admin = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromHours(1)));
        var tenant = await admin.CreateTenantAsync(cluster, "svc");
        await InsertPrincipalAsync(tenant.Id, "service:ingest", "ServiceAccount");
        await InsertPrincipalAsync(tenant.Id, "user:bob", "User");
        var keys = $"/admin/v1/tenants/{tenant.Name}/access-keys";

        var created = await admin.PostJsonAsync(keys, new { description = "ingest", principal = "service:ingest" }, HttpStatusCode.Created);
        Assert.Equal("service:ingest", created.GetProperty("principal").GetString());
        var id = created.GetProperty("accessKeyId").GetString()!;
        var listed = Assert.Single((await admin.GetJsonAsync(keys)).GetProperty("accessKeys").EnumerateArray());
        Assert.Equal("service:ingest", listed.GetProperty("principal").GetString());
        var rotated = await admin.PostJsonAsync($"{keys}/{id}/rotate", null, HttpStatusCode.Created);
        Assert.Equal("service:ingest", rotated.GetProperty("principal").GetString());

        await Problem.AssertAsync(await admin.PostAsJsonAsync(keys, new { principal = "service:nobody" }), HttpStatusCode.NotFound, "service:nobody");
        await Problem.AssertAsync(await admin.PostAsJsonAsync(keys, new { principal = "user:bob" }), HttpStatusCode.BadRequest, "not a service account");
        await Problem.AssertAsync(await admin.PostAsJsonAsync(keys, new { description = new string('d', 257) }), HttpStatusCode.BadRequest, "at most 256");
        await Problem.AssertAsync(await admin.PostAsJsonAsync("/admin/v1/tenants/no-such-tenant/access-keys", new { }), HttpStatusCode.NotFound, "not found");
    }

    [Fact]
    public async Task Another_tenants_admin_finds_no_keys_and_no_tenant_there()
    {
        using var admin = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromHours(1)));
        var owner = await admin.CreateTenantAsync(cluster, "own");
        var other = await admin.CreateTenantAsync(cluster, "oth");
        var key = await admin.PostJsonAsync($"/admin/v1/tenants/{owner.Name}/access-keys", new { }, HttpStatusCode.Created);
        var id = key.GetProperty("accessKeyId").GetString()!;
        using var stranger = cluster.CreateHttpClient(other.Token);
        using var reader = cluster.CreateHttpClient(cluster.IssueToken(owner.Name, TimeSpan.FromHours(1), roles: ["reader"]));

        foreach (var client in new[] { stranger, reader })
        {
            var listed = await Problem.AssertAsync(await client.GetAsync($"/admin/v1/tenants/{owner.Name}/access-keys"), HttpStatusCode.NotFound);
            Assert.Equal($"Tenant '{owner.Name}' not found.", listed.GetProperty("detail").GetString());
            await Problem.AssertAsync(await client.PostAsJsonAsync($"/admin/v1/tenants/{owner.Name}/access-keys", new { }), HttpStatusCode.NotFound);
            await Problem.AssertAsync(await client.PostAsync($"/admin/v1/tenants/{owner.Name}/access-keys/{id}/disable", null), HttpStatusCode.NotFound);
            await Problem.AssertAsync(await client.DeleteAsync($"/admin/v1/tenants/{owner.Name}/access-keys/{id}"), HttpStatusCode.NotFound);
        }

        // Its own tenant's admin cannot reach the key through its own tenant either.
        await Problem.AssertAsync(await stranger.PostAsync($"/admin/v1/tenants/{other.Name}/access-keys/{id}/disable", null), HttpStatusCode.NotFound, "has no access key");
        Assert.Equal("active", Assert.Single((await admin.GetJsonAsync($"/admin/v1/tenants/{owner.Name}/access-keys")).GetProperty("accessKeys").EnumerateArray()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Changes_made_through_one_gateway_reach_another_gateways_caches_within_moments()
    {
        var (gateway, endpoint) = await cluster.StartExtraGatewayAsync();
        await using var second = gateway;
        using var admin = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromHours(1)));
        var tenant = await admin.CreateTenantAsync(cluster, "xgw");
        var key = await admin.PostJsonAsync($"/admin/v1/tenants/{tenant.Name}/access-keys", new { }, HttpStatusCode.Created);
        var id = key.GetProperty("accessKeyId").GetString()!;
        using var kinesis = new SignedKinesisClient(endpoint, id, key.GetProperty("secretAccessKey").GetString()!);
        using var rest = new HttpClient { BaseAddress = endpoint };
        rest.DefaultRequestHeaders.Authorization = new("Bearer", tenant.Token);

        // The second gateway has the key and the tenant cached now.
        await kinesis.CallAsync("ListStreams", new { });
        (await rest.GetAsync("/v1/streams")).EnsureSuccessStatusCode();

        await admin.PostJsonAsync($"/admin/v1/tenants/{tenant.Name}/access-keys/{id}/disable", null, HttpStatusCode.OK);
        await WaitForAnswerAsync(kinesis, refused: true);

        await admin.PostJsonAsync($"/admin/v1/tenants/{tenant.Name}/suspend", null, HttpStatusCode.OK);
        await Wait.UntilAsync(async () =>
        {
            using var response = await rest.GetAsync("/v1/streams");
            return response.StatusCode == HttpStatusCode.Unauthorized;
        }, AdminHttp.PromptTimeout, () => "the second gateway to refuse the suspended tenant");
    }

    /// <summary>Waits until a signed ListStreams is refused as an unknown key (or accepted), within the prompt bound.</summary>
    internal static Task WaitForAnswerAsync(SignedKinesisClient kinesis, bool refused)
    {
        var last = "";
        return Wait.UntilAsync(async () =>
        {
            var (status, body) = await kinesis.SendAsync("ListStreams", new { });
            last = $"{(int)status} {body?.ToJsonString()}";
            return refused
                ? status == HttpStatusCode.BadRequest && (string?)body?["__type"] == "UnrecognizedClientException"
                : status == HttpStatusCode.OK;
        }, AdminHttp.PromptTimeout, () => $"the key to be {(refused ? "refused" : "accepted")}; last answer {last}");
    }

    private async Task InsertPrincipalAsync(Guid tenantId, string name, string kind)
    {
        await using var connection = new NpgsqlConnection(cluster.MetadataConnectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO principals (id, tenant_id, name, kind, description, roles, disabled, created_at) VALUES (@id, @tenant, @name, @kind, '', '{}', false, now())",
            connection);
        insert.Parameters.AddWithValue("id", Guid.NewGuid());
        insert.Parameters.AddWithValue("tenant", tenantId);
        insert.Parameters.AddWithValue("name", name);
        insert.Parameters.AddWithValue("kind", kind);
        await insert.ExecuteNonQueryAsync();
    }
}
