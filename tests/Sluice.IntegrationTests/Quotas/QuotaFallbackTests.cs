using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.V1;

namespace Sluice.IntegrationTests.Quotas;

/// <summary>A one-node cluster whose quotas live in a Redis of its own, which the test kills and starts again.</summary>
public sealed class QuotaFallbackFixture : SluiceCluster
{
    public QuotaFallbackFixture()
        : this(new RedisServer())
    {
    }

    private QuotaFallbackFixture(RedisServer redis)
        : base(nodeCount: 1, redis: redis.Endpoint, gatewaySettings: new Dictionary<string, string>
        {
            ["Sluice__Quotas__ProbeInterval"] = "00:00:00.200",
            ["Sluice__Quotas__RedisTimeout"] = "00:00:00.250",
        })
    {
        Redis = redis;
    }

    internal RedisServer Redis { get; }

    public override async Task InitializeAsync()
    {
        await Redis.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class QuotaFallbackCollection : ICollectionFixture<QuotaFallbackFixture>
{
    public const string Name = "quota-fallback";
}

/// <summary>Redis dies mid-run: the gateway keeps serving on its local limiter, says so, and goes back to Redis by itself.</summary>
[Collection(QuotaFallbackCollection.Name)]
public sealed partial class QuotaFallbackTests(QuotaFallbackFixture cluster)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>
    /// No put may take this long once the path is warm: a dead Redis must not hold requests up (the client's own timeouts
    /// would be 5 s; the gateway's is 250 ms), with room for a loaded test machine.
    /// </summary>
    private static readonly TimeSpan SlowPut = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Redis_killed_mid_run_puts_go_on_readyz_and_the_metric_show_the_fallback_and_it_recovers()
    {
        var tenant = await cluster.CreateTenantAsync("qf");
        using var client = cluster.CreateClient(tenant);
        using var http = cluster.CreateHttpClient(null);
        var stream = $"qf-{Guid.NewGuid():N}";
        await client.CreateStreamAsync(stream, 2);
        long written = 0;

        await Wait.UntilAsync(async () => await ModeAsync(http) == "redis", Bound, () => "quotas in Redis at start");
        // Warm up (the first calls of a fresh gateway compile and connect), untimed.
        for (var i = 0; i < 3; i++)
        {
            written += await PutAsync(client, stream, timed: false);
        }

        await AssertGaugeAsync(http, 0);

        await cluster.Redis.KillAsync();

        // Every put keeps succeeding, none slowed down, while the gateway notices and falls back.
        var deadline = Stopwatch.StartNew();
        while (await ModeAsync(http) != "local-fallback")
        {
            Assert.True(deadline.Elapsed < Bound, "readyz never reported the fallback");
            written += await PutAsync(client, stream);
        }

        var ready = (await http.GetFromJsonAsync<JsonObject>("/readyz"))!;
        Assert.Equal("ready", (string)ready["status"]!);
        Assert.NotNull(ready["quotas"]!["fallbackSince"]);
        Assert.False(string.IsNullOrEmpty((string?)ready["quotas"]!["reason"]));
        await AssertGaugeAsync(http, 1);
        for (var i = 0; i < 10; i++)
        {
            written += await PutAsync(client, stream);
        }

        // Redis is back (empty): the gateway returns to it on its own.
        await cluster.Redis.StartAsync();
        deadline.Restart();
        while (await ModeAsync(http) != "redis")
        {
            Assert.True(deadline.Elapsed < Bound, "the gateway never went back to Redis");
            written += await PutAsync(client, stream);
        }

        await AssertGaugeAsync(http, 0);
        written += await PutAsync(client, stream);

        // Everything acknowledged is there.
        long read = 0;
        foreach (var shard in new[] { "shardId-000000000000", "shardId-000000000001" })
        {
            var page = await client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = shard, Position = StartPosition.TrimHorizon, Limit = 10_000 });
            read += page.Records.Count;
        }

        Assert.Equal(written, read);
    }

    private static async Task<long> PutAsync(Sluice.Client.SluiceClient client, string stream, bool timed = true)
    {
        var entries = Enumerable.Range(0, 10).Select(i => new PutRecordsEntry { PartitionKey = $"k{i}", Data = ByteString.CopyFrom(new byte[100]) }).ToList();
        var clock = Stopwatch.StartNew();
        var response = await client.PutRecordsAsync(stream, entries);
        Assert.True(!timed || clock.Elapsed < SlowPut, $"a put took {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(0, response.FailedRecordCount);
        return entries.Count;
    }

    private static async Task<string?> ModeAsync(HttpClient http)
    {
        var ready = await http.GetFromJsonAsync<JsonObject>("/readyz");
        return (string?)ready!["quotas"]!["mode"];
    }

    /// <summary>Waits (bounded: the exporter may answer from a scrape cached for a moment) for the fallback gauge to read <paramref name="expected"/>.</summary>
    private static async Task AssertGaugeAsync(HttpClient http, int expected)
    {
        var metrics = "";
        await Wait.UntilAsync(async () =>
        {
            metrics = await http.GetStringAsync("/metrics");
            var match = FallbackGauge().Match(metrics);
            return match.Success && int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) == expected;
        }, TimeSpan.FromSeconds(5), () => $"sluice_gateway_quota_fallback {expected} in /metrics:\n{metrics}");
    }

    [GeneratedRegex(@"^sluice_gateway_quota_fallback(?:\{[^}]*\})? (\d+)", RegexOptions.Multiline)]
    private static partial Regex FallbackGauge();
}
