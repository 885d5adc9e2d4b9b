using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Sluice.Cli;
using Sluice.Client;
using Sluice.IntegrationTests.Infrastructure;
using static Sluice.IntegrationTests.Schemas.SchemaFixtures;

namespace Sluice.IntegrationTests.Schemas;

/// <summary>
/// Binding a stream to a schema subject on REST, gRPC and the CLI: set, show, clear, the stream's description, and
/// the refusals (a subject with no live version, another tenant's stream, a principal without manage).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class StreamSchemaBindingTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Rest_binds_shows_and_clears_and_describe_names_the_subject()
    {
        var tenant = await cluster.CreateTenantAsync("sb");
        using var http = cluster.CreateHttpClient(tenant.Token);
        using var client = cluster.CreateClient(tenant);
        var stream = Name("rest-bind");
        await client.CreateStreamAsync(stream, 1);
        var subject = Name("rest-bind") + "-value";

        await Problem.AssertAsync(await http.PutAsJsonAsync($"/v1/streams/{stream}/schema", new { subject }),
            HttpStatusCode.BadRequest, $"Subject '{subject}' has no live schema version: register a schema first");
        await Problem.AssertAsync(await http.PutAsJsonAsync($"/v1/streams/{stream}/schema", new { subject = "" }), HttpStatusCode.BadRequest, "The subject must be");
        var id = await RegisterAsync(http, subject, OrderSchema);
        await Problem.AssertAsync(await http.PutAsJsonAsync($"/v1/streams/{stream}/schema", new { subject, compatibility = "SIDEWAYS" }),
            HttpStatusCode.BadRequest, "Compatibility 'SIDEWAYS' is not one of NONE, BACKWARD");
        await Problem.AssertAsync(await http.GetAsync($"/v1/streams/{stream}/schema"), HttpStatusCode.NotFound, "is not bound to a schema subject");

        using var put = await http.PutAsJsonAsync($"/v1/streams/{stream}/schema", new { subject, compatibility = "full_transitive" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var binding = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(stream, binding.GetProperty("stream").GetString());
        Assert.Equal(subject, binding.GetProperty("subject").GetString());
        Assert.Equal("FULL_TRANSITIVE", binding.GetProperty("compatibility").GetString());
        Assert.Equal(1, binding.GetProperty("latestVersion").GetInt32());
        Assert.Equal(id, binding.GetProperty("latestSchemaId").GetInt32());
        Assert.Equal("JSON", binding.GetProperty("latestSchemaType").GetString());

        var shown = await http.GetFromJsonAsync<JsonElement>($"/v1/streams/{stream}/schema");
        Assert.Equal(binding.GetRawText(), shown.GetRawText());
        Assert.Equal(subject, (await http.GetFromJsonAsync<JsonElement>($"/v1/streams/{stream}")).GetProperty("schemaSubject").GetString());
        // The registry itself reports the level set through the binding.
        var config = await http.GetFromJsonAsync<JsonElement>($"/schema-registry/config/{subject}");
        Assert.Equal("FULL_TRANSITIVE", config.GetProperty("compatibilityLevel").GetString());

        using var delete = await http.DeleteAsync($"/v1/streams/{stream}/schema");
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.False((await delete.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("schemaSubject", out _));
        await Problem.AssertAsync(await http.GetAsync($"/v1/streams/{stream}/schema"), HttpStatusCode.NotFound, "is not bound to a schema subject");
        Assert.False((await http.GetFromJsonAsync<JsonElement>($"/v1/streams/{stream}")).TryGetProperty("schemaSubject", out _));
        using var again = await http.DeleteAsync($"/v1/streams/{stream}/schema");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Another_tenants_stream_answers_like_a_missing_one_and_a_principal_without_manage_is_refused()
    {
        var tenant = await cluster.CreateTenantAsync("sb");
        using var http = cluster.CreateHttpClient(tenant.Token);
        using var client = cluster.CreateClient(tenant);
        var stream = Name("guarded");
        await client.CreateStreamAsync(stream, 1);
        var subject = Name("guarded") + "-value";
        await RegisterAsync(http, subject, OrderSchema);
        await client.SetStreamSchemaAsync(stream, subject);

        var other = await cluster.CreateTenantAsync("sb-other");
        using var otherHttp = cluster.CreateHttpClient(other.Token);
        await RegisterAsync(otherHttp, subject, OrderSchema);
        await Problem.AssertAsync(await otherHttp.PutAsJsonAsync($"/v1/streams/{stream}/schema", new { subject }), HttpStatusCode.NotFound, $"Stream {stream} under account {other.AccountId} not found.");
        await Problem.AssertAsync(await otherHttp.GetAsync($"/v1/streams/{stream}/schema"), HttpStatusCode.NotFound, $"Stream {stream} under account {other.AccountId} not found.");
        await Problem.AssertAsync(await otherHttp.DeleteAsync($"/v1/streams/{stream}/schema"), HttpStatusCode.NotFound, $"Stream {stream} under account {other.AccountId} not found.");
        using var otherClient = cluster.CreateClient(other);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => otherClient.SetStreamSchemaAsync(stream, subject))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => otherClient.GetStreamSchemaAsync(stream))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => otherClient.ClearStreamSchemaAsync(stream))).StatusCode);

        var token = cluster.IssueToken(tenant.Name, TimeSpan.FromHours(1), roles: [], subject: "no-manage");
        using var limited = cluster.CreateHttpClient(token);
        await Problem.AssertAsync(await limited.PutAsJsonAsync($"/v1/streams/{stream}/schema", new { subject }), HttpStatusCode.Forbidden, $"user:no-manage is not authorized to manage stream {stream}");
        await Problem.AssertAsync(await limited.DeleteAsync($"/v1/streams/{stream}/schema"), HttpStatusCode.Forbidden, $"user:no-manage is not authorized to manage stream {stream}");
        using var limitedClient = new SluiceClient(new SluiceClientOptions { Endpoint = cluster.GrpcEndpoint, Token = token });
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => limitedClient.ClearStreamSchemaAsync(stream))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => limitedClient.SetStreamSchemaAsync(stream, subject))).StatusCode);

        // Still bound as the owner left it.
        Assert.Equal(subject, (await client.GetStreamSchemaAsync(stream)).Subject);
    }

    [Fact]
    public async Task Grpc_binds_shows_and_clears_and_describe_names_the_subject()
    {
        var tenant = await cluster.CreateTenantAsync("sb");
        using var http = cluster.CreateHttpClient(tenant.Token);
        using var client = cluster.CreateClient(tenant);
        var stream = Name("grpc-bind");
        await client.CreateStreamAsync(stream, 1);
        var subject = Name("grpc-bind") + "-value";

        var empty = await Assert.ThrowsAsync<RpcException>(() => client.SetStreamSchemaAsync(stream, subject));
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Contains("register a schema first", empty.Status.Detail, StringComparison.Ordinal);
        var id = await RegisterAsync(http, subject, OrderSchema);
        var unbound = await Assert.ThrowsAsync<RpcException>(() => client.GetStreamSchemaAsync(stream));
        Assert.Equal(StatusCode.NotFound, unbound.StatusCode);
        Assert.Contains("is not bound to a schema subject", unbound.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => client.SetStreamSchemaAsync(Name("missing"), subject))).StatusCode);

        var binding = await client.SetStreamSchemaAsync(stream, subject);
        Assert.Equal(subject, binding.Subject);
        Assert.Equal("", binding.Compatibility);
        Assert.Equal(1, binding.LatestVersion);
        Assert.Equal(id, binding.LatestSchemaId);
        Assert.Equal("JSON", binding.LatestSchemaType);
        Assert.Equal(binding, await client.GetStreamSchemaAsync(stream));
        Assert.Equal(subject, (await client.DescribeStreamAsync(stream)).SchemaSubject);

        var cleared = await client.ClearStreamSchemaAsync(stream);
        Assert.Equal(stream, cleared.Name);
        Assert.Equal("", cleared.SchemaSubject);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => client.GetStreamSchemaAsync(stream))).StatusCode);
    }

    [Fact]
    public async Task Cli_sets_shows_and_clears_a_binding_and_tail_decodes_records()
    {
        var tenant = await cluster.CreateTenantAsync("sb");
        using var http = cluster.CreateHttpClient(tenant.Token);
        using var client = cluster.CreateClient(tenant);
        var stream = Name("cli-bind");
        await client.CreateStreamAsync(stream, 1);
        var subject = Name("cli-bind") + "-value";

        var refused = await RunAsync(tenant, ["streams", "schema", "set", stream, "--subject", subject]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("register a schema first", refused.Stderr, StringComparison.Ordinal);
        var id = await RegisterAsync(http, subject, OrderSchema);

        var set = await RunAsync(tenant, ["streams", "schema", "set", stream, "--subject", subject, "--compatibility", "BACKWARD"]);
        Assert.True(set.ExitCode == 0, set.Stderr);
        var binding = JsonDocument.Parse(set.Stdout).RootElement;
        Assert.Equal(subject, binding.GetProperty("subject").GetString());
        Assert.Equal("BACKWARD", binding.GetProperty("compatibility").GetString());
        Assert.Equal(id, binding.GetProperty("latestSchemaId").GetInt32());

        var show = await RunAsync(tenant, ["streams", "schema", "show", stream]);
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Equal(subject, JsonDocument.Parse(show.Stdout).RootElement.GetProperty("subject").GetString());
        var describe = await RunAsync(tenant, ["streams", "describe", stream]);
        Assert.Equal(subject, JsonDocument.Parse(describe.Stdout).RootElement.GetProperty("schemaSubject").GetString());

        // put refuses what the schema does not allow, and writes what it does.
        var put = await RunAsync(tenant, ["put", stream], "{\"id\":1,\"amount\":2}\nnot json\n");
        Assert.Equal(1, put.ExitCode);
        Assert.Contains("record is not valid against schema", put.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await client.PutRecordsAsync(stream, [new Sluice.V1.PutRecordsEntry { PartitionKey = "w", Data = Google.Protobuf.ByteString.CopyFrom(Wire(id, """{"id":2,"amount":0.5}""")) }])).FailedRecordCount);

        var tail = await RunAsync(tenant, ["tail", stream, "--from", "oldest", "--no-follow", "--decode"]);
        Assert.True(tail.ExitCode == 0, tail.Stderr);
        var lines = tail.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(1, lines[0].GetProperty("decoded").GetProperty("id").GetInt32());
        Assert.False(lines[0].TryGetProperty("schemaId", out _));
        Assert.False(lines[0].TryGetProperty("data", out _));
        Assert.Equal(0.5, lines[1].GetProperty("decoded").GetProperty("amount").GetDouble());
        Assert.Equal(id, lines[1].GetProperty("schemaId").GetInt32());

        var clear = await RunAsync(tenant, ["streams", "schema", "clear", stream]);
        Assert.True(clear.ExitCode == 0, clear.Stderr);
        Assert.Equal("", JsonDocument.Parse(clear.Stdout).RootElement.GetProperty("schemaSubject").GetString());
        var gone = await RunAsync(tenant, ["streams", "schema", "show", stream]);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("is not bound to a schema subject", gone.Stderr, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TestTenant tenant, string[] args, string stdin = "")
    {
        var environment = new Dictionary<string, string?>
        {
            ["SLUICE_GRPC"] = cluster.GrpcEndpoint.ToString(),
            ["SLUICE_HTTP"] = cluster.HttpEndpoint.ToString(),
            ["SLUICE_TOKEN"] = tenant.Token,
        };
        using var input = new StringReader(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var code = await Program.RunAsync(args, new CliContext(input, output, error, name => environment.GetValueOrDefault(name)), timeout.Token);
        return (code, output.ToString(), error.ToString());
    }
}
