using System.Text.Json;
using Sluice.Cli;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Cli;

[Collection(ClusterCollection.Name)]
public sealed class CliTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Streams_put_and_tail_work_end_to_end()
    {
        var tenant = await cluster.CreateTenantAsync();
        var stream = $"cli-{Guid.NewGuid():N}";

        var create = await RunAsync(tenant, ["streams", "create", stream, "--shards", "3"]);
        Assert.Equal(0, create.ExitCode);

        var list = await RunAsync(tenant, ["streams", "list"]);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(stream, list.Stdout, StringComparison.Ordinal);

        var describe = await RunAsync(tenant, ["streams", "describe", stream]);
        Assert.Equal(0, describe.ExitCode);
        Assert.Equal(3, JsonDocument.Parse(describe.Stdout).RootElement.GetProperty("shards").GetArrayLength());

        var lines = string.Join('\n', Enumerable.Range(1, 100).Select(i => $"line-{i}")) + "\n";
        var put = await RunAsync(tenant, ["put", stream], lines);
        Assert.Equal(0, put.ExitCode);
        Assert.Contains("100", put.Stderr, StringComparison.Ordinal);

        var json = await RunAsync(tenant, ["put", stream, "--json"], "{\"partitionKey\":\"user-1\",\"data\":\"from-json\"}\n");
        Assert.Equal(0, json.ExitCode);

        var tail = await RunAsync(tenant, ["tail", stream, "--from", "oldest", "--no-follow"]);
        Assert.Equal(0, tail.ExitCode);
        var records = tail.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(101, records.Count);
        var data = records.Select(r => r.GetProperty("data").GetString()).ToHashSet();
        Assert.Contains("line-1", data);
        Assert.Contains("line-100", data);
        Assert.Contains("from-json", data);
        Assert.Contains(records, r => r.GetProperty("partitionKey").GetString() == "user-1");

        var delete = await RunAsync(tenant, ["streams", "delete", stream]);
        Assert.Equal(0, delete.ExitCode);
    }

    [Fact]
    public async Task The_cli_reports_bad_input_and_missing_streams_as_one_clear_line()
    {
        var tenant = await cluster.CreateTenantAsync();
        var stream = $"cli-bad-{Guid.NewGuid():N}";
        Assert.Equal(0, (await RunAsync(tenant, ["streams", "create", stream, "--shards", "1"])).ExitCode);

        var badJson = await RunAsync(tenant, ["put", stream, "--json"], "{\"partitionKey\":\"a\",\"data\":\"ok\"}\n{broken\n");
        Assert.Equal(1, badJson.ExitCode);
        Assert.Contains("line 2", badJson.Stderr, StringComparison.Ordinal);

        var missing = await RunAsync(tenant, ["streams", "describe", "no-such-stream"]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr, StringComparison.OrdinalIgnoreCase);

        var noToken = await RunAsync(tenant with { Token = "" }, ["streams", "list"]);
        Assert.Equal(1, noToken.ExitCode);
        Assert.Contains("SLUICE_TOKEN", noToken.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("grpc")]
    [InlineData("rest")]
    [InlineData("kinesis")]
    public async Task Bench_produces_consumes_and_reports_over_each_api(string api)
    {
        var tenant = await cluster.CreateTenantAsync();
        var key = await cluster.CreateAccessKeyAsync(tenant);
        var extra = new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = key.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = key.SecretAccessKey,
            ["AWS_ENDPOINT_URL_KINESIS"] = cluster.HttpEndpoint.ToString(),
        };
        var bench = await RunAsync(tenant,
            ["bench", "--api", api, "--shards", "2", "--record-size", "64", "--batch-size", "20", "--producers", "2", "--duration", "2", "--warmup", "0", "--poll-interval", "50", "--catch-up", "--json"],
            extra: extra);
        Assert.True(bench.ExitCode == 0, bench.Stderr);
        using var result = System.Text.Json.JsonDocument.Parse(bench.Stdout.Trim().Split('\n')[^1]);
        var root = result.RootElement;
        Assert.Equal(api, root.GetProperty("api").GetString());
        Assert.True(root.GetProperty("records").GetInt64() > 0, bench.Stdout);
        Assert.Equal(0, root.GetProperty("failed").GetInt64());
        Assert.True(root.GetProperty("e2e_p50_ms").GetDouble() >= 0, bench.Stdout);

        // Read back from the oldest after producing: every record, at some rate.
        Assert.True(root.GetProperty("catch_up_records_per_s").GetDouble() > 0, bench.Stdout);

        // Consumers read everything produced (the warm-up is zero here).
        Assert.True(root.GetProperty("consumed").GetInt64() >= root.GetProperty("records").GetInt64(), bench.Stdout);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        TestTenant tenant, string[] args, string stdin = "", IReadOnlyDictionary<string, string?>? extra = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["SLUICE_GRPC"] = cluster.GrpcEndpoint.ToString(),
            ["SLUICE_HTTP"] = cluster.HttpEndpoint.ToString(),
            ["SLUICE_TOKEN"] = string.IsNullOrEmpty(tenant.Token) ? null : tenant.Token,
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        using var input = new StringReader(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var code = await Program.RunAsync(args, new CliContext(input, output, error, name => environment.GetValueOrDefault(name)), timeout.Token);
        return (code, output.ToString(), error.ToString());
    }
}
