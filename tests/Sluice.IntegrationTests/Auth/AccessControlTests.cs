using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Npgsql;
using Sluice.Client;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.IntegrationTests.Kinesis;
using Sluice.V1;

namespace Sluice.IntegrationTests.Auth;

/// <summary>
/// ACLs, principals and their admin endpoints against a real cluster: the same decision on REST, gRPC and the Kinesis API,
/// deny beating allow, prefix patterns, changes seen at once, disabled principals refused, and every change audited.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AccessControlTests(ClusterFixture cluster)
{
    /// <summary>A change is announced by NOTIFY; the cache's own expiry (30 s) is far beyond this.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_principal_allowed_only_to_consume_cannot_put_on_any_face_but_can_read_and_describe()
    {
        var tenant = await cluster.CreateTenantAsync("acl");
        using var admin = cluster.CreateHttpClient(tenant.Token);
        await CreateStreamAsync(admin, "orders-1");
        await CreateStreamAsync(admin, "private-1");
        (await admin.PostAsJsonAsync("/v1/streams/orders-1/records", new { records = new[] { new { partitionKey = "k", data = "aGVsbG8=" } } })).EnsureSuccessStatusCode();
        var service = await CreatePrincipalAsync(admin, tenant, new { name = "service:reader", description = "reads orders" });
        await AddAclAsync(admin, tenant, "user:reader", "allow", "consume", "orders-*");
        await AddAclAsync(admin, tenant, "service:reader", "allow", "consume", "orders-*");

        // REST
        using var rest = cluster.CreateHttpClient(cluster.IssueToken(tenant.Name, TimeSpan.FromHours(1), roles: [], subject: "reader"));
        var denied = await Problem.AssertAsync(
            await rest.PostAsJsonAsync("/v1/streams/orders-1/records", new { records = new[] { new { partitionKey = "k", data = "eA==" } } }),
            HttpStatusCode.Forbidden, "user:reader is not authorized to produce to stream orders-1");
        Assert.Equal("Forbidden", denied.GetProperty("title").GetString());
        var read = await rest.GetFromJsonAsync<JsonElement>("/v1/streams/orders-1/shards/shardId-000000000000/records?from=oldest");
        Assert.Single(read.GetProperty("records").EnumerateArray());
        Assert.Equal("orders-1", (await rest.GetFromJsonAsync<JsonElement>("/v1/streams/orders-1")).GetProperty("name").GetString());
        var listed = await rest.GetFromJsonAsync<JsonElement>("/v1/streams");
        Assert.Equal(["orders-1"], listed.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        await Problem.AssertAsync(await rest.GetAsync("/v1/streams/private-1"), HttpStatusCode.Forbidden, "not authorized to access stream private-1");
        await Problem.AssertAsync(await rest.DeleteAsync("/v1/streams/orders-1"), HttpStatusCode.Forbidden, "not authorized to manage stream orders-1");
        await Problem.AssertAsync(await rest.PostAsJsonAsync("/v1/streams/orders-1/shards:scale", new { targetShardCount = 2 }), HttpStatusCode.Forbidden);
        await Problem.AssertAsync(await rest.PostAsJsonAsync("/v1/streams", new { name = "orders-2", shardCount = 1 }), HttpStatusCode.Forbidden);

        // gRPC
        using var grpc = new SluiceClient(new SluiceClientOptions
        {
            Endpoint = cluster.GrpcEndpoint,
            Token = cluster.IssueToken(tenant.Name, TimeSpan.FromHours(1), roles: [], subject: "reader"),
        });
        var put = await Assert.ThrowsAsync<RpcException>(() => grpc.PutRecordsAsync("orders-1", [new PutRecordsEntry { PartitionKey = "k", Data = ByteString.CopyFromUtf8("x") }]));
        Assert.Equal(StatusCode.PermissionDenied, put.StatusCode);
        Assert.Contains("user:reader", put.Status.Detail, StringComparison.Ordinal);
        var page = await grpc.GetRecordsAsync(new GetRecordsRequest { Stream = "orders-1", ShardId = "shardId-000000000000", Position = StartPosition.TrimHorizon });
        Assert.Single(page.Records);
        Assert.Equal("orders-1", (await grpc.DescribeStreamAsync("orders-1")).Name);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => grpc.DeleteStreamAsync("orders-1"))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => grpc.DescribeStreamAsync("private-1"))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => grpc.UpdateShardCountAsync("orders-1", 2))).StatusCode);
        var names = new List<string>();
        await foreach (var summary in grpc.ListStreamsAsync())
        {
            names.Add(summary.Name);
        }

        Assert.Equal(["orders-1"], names);

        // Kinesis, with an access key of the service account
        var key = await cluster.CreateAccessKeyAsync(tenant, "reader", service.GetProperty("id").GetGuid());
        using var kinesis = new SignedKinesisClient(cluster.HttpEndpoint, key.AccessKeyId, key.SecretAccessKey);
        var (status, body) = await kinesis.SendAsync("PutRecords", new { StreamName = "orders-1", Records = new[] { new { Data = "eA==", PartitionKey = "k" } } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("AccessDeniedException", (string?)body!["__type"]);
        Assert.Equal(
            $"User: arn:aws:iam::{tenant.AccountId}:user/service:reader is not authorized to perform: kinesis:PutRecords on resource: arn:aws:kinesis:{SignedKinesisClient.Region}:{tenant.AccountId}:stream/orders-1",
            (string?)body["message"]);
        (status, body) = await kinesis.SendAsync("PutRecord", new { StreamName = "orders-1", Data = "eA==", PartitionKey = "k" });
        Assert.Equal("AccessDeniedException", (string?)body!["__type"]);
        var iterator = (string)(await kinesis.CallAsync("GetShardIterator", new { StreamName = "orders-1", ShardId = "shardId-000000000000", ShardIteratorType = "TRIM_HORIZON" }))["ShardIterator"]!;
        Assert.Single((await kinesis.CallAsync("GetRecords", new { ShardIterator = iterator }))["Records"]!.AsArray());
        Assert.Equal("orders-1", (string?)(await kinesis.CallAsync("DescribeStreamSummary", new { StreamName = "orders-1" }))["StreamDescriptionSummary"]!["StreamName"]);
        Assert.Single((await kinesis.CallAsync("ListShards", new { StreamName = "orders-1" }))["Shards"]!.AsArray());
        Assert.Equal(["orders-1"], (await kinesis.CallAsync("ListStreams", new { }))["StreamNames"]!.AsArray().Select(n => (string?)n));
        foreach (var (operation, request) in new (string, object)[]
        {
            ("DeleteStream", new { StreamName = "orders-1" }),
            ("DescribeStreamSummary", new { StreamName = "private-1" }),
            ("CreateStream", new { StreamName = "orders-3", ShardCount = 1 }),
            ("UpdateShardCount", new { StreamName = "orders-1", TargetShardCount = 2, ScalingType = "UNIFORM_SCALING" }),
            ("AddTagsToStream", new { StreamName = "orders-1", Tags = new Dictionary<string, string> { ["a"] = "b" } }),
        })
        {
            (status, body) = await kinesis.SendAsync(operation, request);
            Assert.True(status == HttpStatusCode.BadRequest && (string?)body?["__type"] == "AccessDeniedException", $"{operation}: {(int)status} {body?.ToJsonString()}");
            Assert.Contains($"kinesis:{operation} on resource", (string?)body!["message"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_deny_beats_an_allow_and_a_prefix_matches_only_its_prefix()
    {
        var tenant = await cluster.CreateTenantAsync("deny");
        using var admin = cluster.CreateHttpClient(tenant.Token);
        foreach (var stream in new[] { "orders-eu", "orders-us", "billing" })
        {
            await CreateStreamAsync(admin, stream);
        }

        await AddAclAsync(admin, tenant, "user:writer", "allow", "produce", "*");
        await AddAclAsync(admin, tenant, "*", "deny", "produce", "orders-eu");
        await AddAclAsync(admin, tenant, "user:prefixed", "allow", "produce", "orders-*");
        using var writer = cluster.CreateHttpClient(cluster.IssueToken(tenant.Name, TimeSpan.FromHours(1), roles: [], subject: "writer"));
        using var prefixed = cluster.CreateHttpClient(cluster.IssueToken(tenant.Name, TimeSpan.FromHours(1), roles: [], subject: "prefixed"));

        Assert.Equal(HttpStatusCode.OK, (await PutAsync(writer, "orders-us")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(writer, "billing")).StatusCode);
        await Problem.AssertAsync(await PutAsync(writer, "orders-eu"), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(prefixed, "orders-us")).StatusCode);
        await Problem.AssertAsync(await PutAsync(prefixed, "orders-eu"), HttpStatusCode.Forbidden);
        await Problem.AssertAsync(await PutAsync(prefixed, "billing"), HttpStatusCode.Forbidden);

        // The tenant admin is not bound by the deny.
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(admin, "orders-eu")).StatusCode);
    }

    [Fact]
    public async Task An_acl_change_takes_effect_at_once()
    {
        var tenant = await cluster.CreateTenantAsync("prompt");
        using var admin = cluster.CreateHttpClient(tenant.Token);
        await CreateStreamAsync(admin, "events");
        using var writer = cluster.CreateHttpClient(cluster.IssueToken(tenant.Name, TimeSpan.FromHours(1), roles: [], subject: "late"));
        await Problem.AssertAsync(await PutAsync(writer, "events"), HttpStatusCode.Forbidden);

        var entry = await AddAclAsync(admin, tenant, "user:late", "allow", "produce", "events");
        await Wait.UntilAsync(async () => (await PutAsync(writer, "events")).StatusCode == HttpStatusCode.OK, Prompt, () => "the allow to take effect");

        (await admin.DeleteAsync($"/admin/v1/tenants/{tenant.Name}/acls/{entry.GetProperty("id").GetGuid()}")).EnsureSuccessStatusCode();
        await Wait.UntilAsync(async () => (await PutAsync(writer, "events")).StatusCode == HttpStatusCode.Forbidden, Prompt, () => "the removal to take effect");
    }

    [Fact]
    public async Task A_disabled_principal_is_refused_like_an_invalid_token_or_an_unknown_key()
    {
        var tenant = await cluster.CreateTenantAsync("disabled");
        using var admin = cluster.CreateHttpClient(tenant.Token);
        await CreatePrincipalAsync(admin, tenant, new { name = "user:carol", roles = new[] { "tenant-admin" } });
        var bot = await CreatePrincipalAsync(admin, tenant, new { name = "service:bot" });
        await AddAclAsync(admin, tenant, "service:bot", "allow", "manage", "*");
        var carolToken = cluster.IssueToken(tenant.Name, TimeSpan.FromHours(1), roles: [], subject: "carol");
        using var carol = cluster.CreateHttpClient(carolToken);
        using var carolGrpc = new SluiceClient(new SluiceClientOptions { Endpoint = cluster.GrpcEndpoint, Token = carolToken });
        var key = await cluster.CreateAccessKeyAsync(tenant, "bot", bot.GetProperty("id").GetGuid());
        using var kinesis = new SignedKinesisClient(cluster.HttpEndpoint, key.AccessKeyId, key.SecretAccessKey);

        // The principal's role makes carol a tenant admin: streams and the tenant's admin endpoints.
        await CreateStreamAsync(carol, "carols");
        (await carol.GetAsync($"/admin/v1/tenants/{tenant.Name}/principals")).EnsureSuccessStatusCode();
        await kinesis.CallAsync("DescribeStreamSummary", new { StreamName = "carols" });

        await PatchAsync(admin, tenant, "user:carol", new { disabled = true });
        await PatchAsync(admin, tenant, "service:bot", new { disabled = true });
        await Wait.UntilAsync(async () => (await carol.GetAsync("/v1/streams/carols")).StatusCode == HttpStatusCode.Unauthorized, Prompt, () => "carol to be refused");
        await Problem.AssertAsync(await carol.GetAsync("/v1/streams/carols"), HttpStatusCode.Unauthorized, "invalid");
        await Problem.AssertAsync(await carol.GetAsync($"/admin/v1/tenants/{tenant.Name}/principals"), HttpStatusCode.Unauthorized);
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() => carolGrpc.DescribeStreamAsync("carols"))).StatusCode);
        var (status, body) = await kinesis.SendAsync("DescribeStreamSummary", new { StreamName = "carols" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("UnrecognizedClientException", (string?)body!["__type"]);
        Assert.Equal("The security token included in the request is invalid.", (string?)body["message"]);

        await PatchAsync(admin, tenant, "user:carol", new { disabled = false });
        await Wait.UntilAsync(async () => (await carol.GetAsync("/v1/streams/carols")).StatusCode == HttpStatusCode.OK, Prompt, () => "carol to be accepted again");
    }

    [Fact]
    public async Task Principals_and_acl_entries_are_validated_scoped_to_their_tenant_and_audited()
    {
        var tenant = await cluster.CreateTenantAsync("adm");
        var other = await cluster.CreateTenantAsync("adm-other");
        using var admin = cluster.CreateHttpClient(tenant.Token);
        using var otherAdmin = cluster.CreateHttpClient(other.Token);
        using var platform = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromHours(1)));
        var principals = $"/admin/v1/tenants/{tenant.Name}/principals";
        var acls = $"/admin/v1/tenants/{tenant.Name}/acls";

        await Problem.AssertAsync(await admin.PostAsJsonAsync(principals, new { name = "alice" }), HttpStatusCode.BadRequest, "user:<subject>");
        await Problem.AssertAsync(await admin.PostAsJsonAsync(principals, new { name = "user:alice", roles = new[] { "platform-admin" } }), HttpStatusCode.BadRequest, "platform-admin");
        await Problem.AssertAsync(await admin.PostAsJsonAsync(principals, new { name = "service:x", issuer = "https://idp.example.com" }), HttpStatusCode.BadRequest, "issuer");
        var alice = await CreatePrincipalAsync(admin, tenant, new { name = "user:alice", description = "analyst", roles = new[] { "analyst" }, issuer = "https://idp.example.com" });
        Assert.Equal("user", alice.GetProperty("kind").GetString());
        await Problem.AssertAsync(await admin.PostAsJsonAsync(principals, new { name = "user:alice" }), HttpStatusCode.Conflict, "already exists");

        await Problem.AssertAsync(await admin.PostAsJsonAsync(acls, new { principal = "user:alice", effect = "allow", operation = "consume", streamPattern = "or*ders" }), HttpStatusCode.BadRequest, "pattern");
        await Problem.AssertAsync(await admin.PostAsJsonAsync(acls, new { principal = "alice", effect = "allow", operation = "consume", streamPattern = "orders" }), HttpStatusCode.BadRequest, "principal");
        await Problem.AssertAsync(await admin.PostAsJsonAsync(acls, new { principal = "user:alice", effect = "maybe", operation = "consume", streamPattern = "orders" }), HttpStatusCode.BadRequest, "effect");
        await Problem.AssertAsync(await admin.PostAsJsonAsync(acls, new { principal = "user:alice", effect = "allow", operation = "read", streamPattern = "orders" }), HttpStatusCode.BadRequest, "operation");
        var entry = await AddAclAsync(admin, tenant, "user:alice", "allow", "consume", "orders-*");
        await AddAclAsync(admin, tenant, "*", "deny", "produce", "payments");
        await Problem.AssertAsync(await admin.PostAsJsonAsync(acls, new { principal = "user:alice", effect = "allow", operation = "consume", streamPattern = "orders-*" }), HttpStatusCode.Conflict);

        var forAlice = await admin.GetFromJsonAsync<JsonElement>($"{acls}?principal=user:alice");
        Assert.Equal([entry.GetProperty("id").GetGuid()], forAlice.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()));
        var forPayments = await admin.GetFromJsonAsync<JsonElement>($"{acls}?stream=payments");
        Assert.Equal(["deny"], forPayments.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("effect").GetString()));

        // Another tenant's admin sees nothing of this tenant: the 404 of a missing tenant, on reads and on changes.
        var missing = await Problem.AssertAsync(await otherAdmin.GetAsync("/admin/v1/tenants/no-such-tenant/acls"), HttpStatusCode.NotFound);
        var foreign = await Problem.AssertAsync(await otherAdmin.GetAsync(acls), HttpStatusCode.NotFound);
        Assert.Equal(missing.GetProperty("detail").GetString()!.Replace("no-such-tenant", "X", StringComparison.Ordinal),
            foreign.GetProperty("detail").GetString()!.Replace(tenant.Name, "X", StringComparison.Ordinal));
        await Problem.AssertAsync(await otherAdmin.DeleteAsync($"{acls}/{entry.GetProperty("id").GetGuid()}"), HttpStatusCode.NotFound);
        await Problem.AssertAsync(await otherAdmin.PatchAsJsonAsync($"{principals}/user:alice", new { disabled = true }), HttpStatusCode.NotFound);
        // Nor can it reach this tenant's entry through its own tenant.
        await Problem.AssertAsync(await otherAdmin.DeleteAsync($"/admin/v1/tenants/{other.Name}/acls/{entry.GetProperty("id").GetGuid()}"), HttpStatusCode.NotFound, "not found");
        await Problem.AssertAsync(await platform.GetAsync("/admin/v1/tenants/no-such-tenant/principals"), HttpStatusCode.NotFound, "Tenant 'no-such-tenant' not found.");
        Assert.Single((await platform.GetFromJsonAsync<JsonElement>(principals)).GetProperty("principals").EnumerateArray());

        var patched = await PatchAsync(admin, tenant, "user:alice", new { roles = new[] { "analyst", "auditor" }, description = "lead analyst" });
        Assert.Equal(["analyst", "auditor"], patched.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.False(patched.GetProperty("disabled").GetBoolean());
        (await admin.DeleteAsync($"{acls}/{entry.GetProperty("id").GetGuid()}")).EnsureSuccessStatusCode();
        await Problem.AssertAsync(await admin.DeleteAsync($"{acls}/{entry.GetProperty("id").GetGuid()}"), HttpStatusCode.NotFound);
        await AddAclAsync(admin, tenant, "user:alice", "allow", "manage", "reports");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"{principals}/user:alice")).StatusCode);
        await Problem.AssertAsync(await admin.GetAsync($"{principals}/user:alice"), HttpStatusCode.NotFound, "Principal 'user:alice' not found.");
        // Deleting a principal takes the entries naming it along.
        var left = await admin.GetFromJsonAsync<JsonElement>(acls);
        Assert.Equal(["*"], left.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("principal").GetString()));

        await using var connection = new NpgsqlConnection(cluster.MetadataConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT action, actor, target FROM audit_log WHERE tenant_id = @tenant ORDER BY id", connection);
        query.Parameters.AddWithValue("tenant", tenant.Id);
        var audited = new List<(string Action, string Actor, string Target)>();
        await using (var reader = await query.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                audited.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        Assert.Equal(
            ["principal.create", "acl.add", "acl.add", "principal.update", "acl.remove", "acl.add", "principal.delete"],
            audited.Select(a => a.Action));
        Assert.All(audited, a => Assert.Equal("test", a.Actor));
        Assert.Equal("user:alice", audited[0].Target);
    }

    private async Task CreateStreamAsync(HttpClient http, string name)
    {
        using var response = await http.PostAsJsonAsync("/v1/streams", new { name, shardCount = 1 });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient http, string stream) =>
        http.PostAsJsonAsync($"/v1/streams/{stream}/records", new { records = new[] { new { partitionKey = "k", data = Convert.ToBase64String(Encoding.UTF8.GetBytes(stream)) } } });

    private static async Task<JsonElement> CreatePrincipalAsync(HttpClient http, TestTenant tenant, object body)
    {
        using var response = await http.PostAsJsonAsync($"/admin/v1/tenants/{tenant.Name}/principals", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create principal: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> PatchAsync(HttpClient http, TestTenant tenant, string principal, object body)
    {
        using var response = await http.PatchAsJsonAsync($"/admin/v1/tenants/{tenant.Name}/principals/{principal}", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"patch {principal}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> AddAclAsync(HttpClient http, TestTenant tenant, string principal, string effect, string operation, string streamPattern)
    {
        using var response = await http.PostAsJsonAsync($"/admin/v1/tenants/{tenant.Name}/acls", new { principal, effect, operation, streamPattern });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"add acl: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
