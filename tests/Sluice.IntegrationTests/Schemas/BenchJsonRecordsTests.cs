using System.Text.Json;
using Sluice.Cli;
using Sluice.Cli.Commands.Bench;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Schemas;
using static Sluice.IntegrationTests.Schemas.SchemaFixtures;

namespace Sluice.IntegrationTests.Schemas;

/// <summary><c>sluice bench --json-records</c>: records valid against infra/bench/json-schema-10.json, of the exact size, carrying the send time.</summary>
[Collection(ClusterCollection.Name)]
public sealed class BenchJsonRecordsTests(ClusterFixture cluster)
{
    private static string SchemaText => File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "infra", "bench", "json-schema-10.json"));

    [Theory]
    [InlineData(0)]
    [InlineData(1024)]
    [InlineData(100_000)]
    public void Every_record_is_valid_against_the_bench_schema_has_the_record_size_and_carries_the_send_time(int extra)
    {
        var size = BenchJsonRecords.MinRecordSize + extra;
        var settings = new BenchSettings
        {
            Api = "grpc", Shards = 1, RecordSize = size, DurationSeconds = 1, WarmupSeconds = 0, Rate = 0, Producers = 1, BatchSize = 40,
            Consumers = false, Keep = false, Json = false, JsonRecords = true,
        };
        var schema = SchemaFormats.Parse(SchemaType.Json, SchemaText);
        var payload = BenchStreams.CreatePayload(settings, new Random(7));
        Assert.Equal(settings.BatchSize * size, payload.Length);
        for (var i = 0; i < settings.BatchSize; i++)
        {
            var record = payload.AsSpan(i * size, size);
            var sent = long.MaxValue - i;
            BenchStreams.Stamp(record, sent, jsonRecords: true);
            Assert.Null(schema.ValidateJson(record));
            Assert.True(BenchStreams.TryReadTimestamp(record, jsonRecords: true, out var read));
            Assert.Equal(sent, read);
            using var document = JsonDocument.Parse(record.ToArray());
            Assert.Equal(10, document.RootElement.EnumerateObject().Count());
        }

        Assert.False(BenchStreams.TryReadTimestamp("{\"other\":1}"u8, jsonRecords: true, out _));
    }

    [Fact]
    public async Task Bench_with_json_records_produces_into_a_stream_bound_to_the_bench_schema_without_a_refusal()
    {
        var tenant = await cluster.CreateTenantAsync("bench");
        using var http = cluster.CreateHttpClient(tenant.Token);
        using var client = cluster.CreateClient(tenant);
        var subject = Name("bench") + "-value";
        await RegisterAsync(http, subject, SchemaText);
        var stream = Name("bench-json");
        await client.CreateStreamAsync(stream, 2);
        await client.SetStreamSchemaAsync(stream, subject);

        var environment = new Dictionary<string, string?>
        {
            ["SLUICE_GRPC"] = cluster.GrpcEndpoint.ToString(),
            ["SLUICE_HTTP"] = cluster.HttpEndpoint.ToString(),
            ["SLUICE_TOKEN"] = tenant.Token,
        };
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var code = await Program.RunAsync(
            ["bench", "--api", "grpc", "--stream", stream, "--json-records", "--record-size", "512", "--batch-size", "20", "--producers", "1",
             "--duration", "2", "--warmup", "0", "--poll-interval", "50", "--json"],
            new CliContext(new StringReader(""), output, error, name => environment.GetValueOrDefault(name)), timeout.Token);
        Assert.True(code == 0, error.ToString());
        using var result = JsonDocument.Parse(output.ToString().Trim().Split('\n')[^1]);
        var root = result.RootElement;
        Assert.True(root.GetProperty("json_records").GetBoolean());
        Assert.True(root.GetProperty("records").GetInt64() > 0, output.ToString());
        Assert.Equal(0, root.GetProperty("failed").GetInt64());
        // The consumers found the send time in every record: end-to-end latency is measured.
        Assert.True(root.GetProperty("e2e_p50_ms").GetDouble() >= 0, output.ToString());
        Assert.True(root.GetProperty("consumed").GetInt64() >= root.GetProperty("records").GetInt64(), output.ToString());

        var tooSmall = await Program.RunAsync(["bench", "--json-records", "--record-size", "64"],
            new CliContext(new StringReader(""), new StringWriter(), error, name => environment.GetValueOrDefault(name)), timeout.Token);
        Assert.NotEqual(0, tooSmall);
        Assert.Contains("--json-records needs --record-size of at least", error.ToString(), StringComparison.Ordinal);
    }
}
