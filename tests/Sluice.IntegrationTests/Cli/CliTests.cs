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

    [Fact]
    public async Task Reshard_split_merge_and_scale_from_the_cli()
    {
        var tenant = await cluster.CreateTenantAsync();
        var stream = $"cli-reshard-{Guid.NewGuid():N}";
        Assert.Equal(0, (await RunAsync(tenant, ["streams", "create", stream, "--shards", "1"])).ExitCode);

        var split = await RunAsync(tenant, ["streams", "split", stream, "shardId-000000000000", "--at", "170141183460469231731687303715884105728"]);
        Assert.True(split.ExitCode == 0, split.Stderr);
        var shards = JsonDocument.Parse(split.Stdout).RootElement.GetProperty("shards");
        Assert.Equal(3, shards.GetArrayLength());
        Assert.Equal("CLOSED", shards[0].GetProperty("state").GetString());
        Assert.Equal("shardId-000000000000", shards[2].GetProperty("parentShardId").GetString());

        var merge = await RunAsync(tenant, ["streams", "merge", stream, "shardId-000000000001", "shardId-000000000002"]);
        Assert.True(merge.ExitCode == 0, merge.Stderr);
        Assert.Equal("shardId-000000000002", JsonDocument.Parse(merge.Stdout).RootElement.GetProperty("shards")[3].GetProperty("adjacentParentShardId").GetString());

        var scale = await RunAsync(tenant, ["streams", "scale", stream, "--shards", "2"]);
        Assert.True(scale.ExitCode == 0, scale.Stderr);
        var counts = JsonDocument.Parse(scale.Stdout).RootElement;
        Assert.Equal((1, 2), (counts.GetProperty("currentShardCount").GetInt32(), counts.GetProperty("targetShardCount").GetInt32()));

        var tooMany = await RunAsync(tenant, ["streams", "scale", stream, "--shards", "5"]);
        Assert.Equal(1, tooMany.ExitCode);
        Assert.Contains("more than double", tooMany.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streams_encrypt_and_decrypt_switch_encryption_at_rest_and_print_the_state()
    {
        var tenant = await cluster.CreateTenantAsync();
        var stream = $"cli-enc-{Guid.NewGuid():N}";
        Assert.Equal(0, (await RunAsync(tenant, ["streams", "create", stream, "--shards", "1"])).ExitCode);

        var encrypt = await RunAsync(tenant, ["streams", "encrypt", stream, "--key-id", "my-key"]);
        Assert.True(encrypt.ExitCode == 0, encrypt.Stderr);
        var encrypted = JsonDocument.Parse(encrypt.Stdout).RootElement;
        Assert.Equal("KMS", encrypted.GetProperty("encryption").GetString());
        Assert.Equal("my-key", encrypted.GetProperty("encryptionKeyId").GetString());

        var decrypt = await RunAsync(tenant, ["streams", "decrypt", stream]);
        Assert.True(decrypt.ExitCode == 0, decrypt.Stderr);
        Assert.Equal("NONE", JsonDocument.Parse(decrypt.Stdout).RootElement.GetProperty("encryption").GetString());

        var missing = await RunAsync(tenant, ["streams", "encrypt", "no-such-stream"]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr, StringComparison.OrdinalIgnoreCase);
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
