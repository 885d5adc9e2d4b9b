using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.IntegrationTests.Kinesis;
using Sluice.V1;

namespace Sluice.IntegrationTests.Quotas;

/// <summary>
/// Quotas on every face against a cluster with low limits (<see cref="QuotaClusterFixture"/>): producers are held at the
/// configured rate, each face answers a throttle its own way, a throttled record is never written, and tenants do not
/// slow each other down. Rates are measured over windows of seconds with a tolerance; waits are bounded.
/// </summary>
[Collection(QuotaClusterCollection.Name)]
public sealed class QuotaTests(QuotaClusterFixture cluster)
{
    private const string LastHashKey = "340282366920938463463374607431768211455";
    private const double Tolerance = 0.25;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_REST_producer_is_held_at_the_shard_byte_rate_and_told_when_to_retry()
    {
        var tenant = await cluster.CreateTenantAsync("qr");
        var stream = await CreateStreamAsync(tenant, shards: 1);
        using var http = cluster.CreateHttpClient(tenant.Token);
        const int recordBytes = 1023; // with the 1-byte partition key: 1 KiB a record
        // 8 KiB a call: the client need not make more than 4 calls a second to be over the rate.
        const int batch = 8;
        var body = RestBatch(batch, recordBytes);

        // Spend the burst: write until the first 429.
        long acknowledged = 0;
        HttpResponseMessage? throttled = null;
        var deadline = Stopwatch.StartNew();
        while (throttled is null)
        {
            Assert.True(deadline.Elapsed < Bound, "no 429 while writing far above the shard's rate");
            var response = await http.PostAsJsonAsync($"/v1/streams/{stream}/records", body);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                throttled = response;
                break;
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            acknowledged += batch;
        }

        var problem = await Problem.AssertAsync(throttled, HttpStatusCode.TooManyRequests, "Rate exceeded for shard shardId-000000000000");
        Assert.Equal("Too many requests", problem.GetProperty("title").GetString());
        var retryAfter = int.Parse(Assert.Single(throttled.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 2);

        // Then as fast as it can for a few seconds: what it gets is the shard's rate.
        var window = TimeSpan.FromSeconds(4);
        long accepted = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window)
        {
            var response = await http.PostAsJsonAsync($"/v1/streams/{stream}/records", body);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused++;
                continue;
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            accepted += batch;
        }

        var rate = accepted * (recordBytes + 1) / clock.Elapsed.TotalSeconds;
        AssertRate(QuotaClusterFixture.ShardIngressBytes, rate);
        Assert.True(refused > 0);

        // Nothing refused was written: the shard holds exactly what was acknowledged.
        acknowledged += accepted;
        Assert.Equal(acknowledged, await CountRestAsync(http, stream, "shardId-000000000000", acknowledged));
    }

    [Fact]
    public async Task Kinesis_PutRecords_refuses_only_the_records_of_a_throttled_shard_and_writes_the_others()
    {
        var (kinesis, _) = await NewKinesisClientAsync();
        using var client = kinesis;
        var stream = $"qk-{Guid.NewGuid():N}";
        await client.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 2 });

        // Each call writes 16 KiB to shard 0 (half its burst) and 100 bytes to shard 1, until shard 0 is out of room.
        var written = new HashSet<string>();
        var refusedOnShard0 = new HashSet<string>();
        JsonNode? mixed = null;
        var deadline = Stopwatch.StartNew();
        for (var call = 0; mixed is null; call++)
        {
            Assert.True(deadline.Elapsed < Bound, "shard 0 was never throttled");
            var records = new List<object>();
            var payloads = new List<string>();
            for (var i = 0; i < 17; i++)
            {
                var payload = $"c{call}-r{i}-".PadRight(i < 16 ? 1000 : 100, 'x');
                payloads.Add(payload);
                records.Add(new { Data = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)), PartitionKey = $"p{i}", ExplicitHashKey = i < 16 ? "0" : LastHashKey });
            }

            var put = await client.CallAsync("PutRecords", new { StreamName = stream, Records = records });
            var results = put["Records"]!.AsArray();
            for (var i = 0; i < results.Count; i++)
            {
                if (results[i]!["ErrorCode"] is null)
                {
                    written.Add(payloads[i]);
                }
                else
                {
                    refusedOnShard0.Add(payloads[i]);
                }
            }

            if ((int)put["FailedRecordCount"]! > 0)
            {
                mixed = put;
            }
        }

        // The whole of shard 0's part was refused, each record with Kinesis' error; shard 1's record went through.
        Assert.Equal(16, (int)mixed["FailedRecordCount"]!);
        var answers = mixed["Records"]!.AsArray();
        for (var i = 0; i < 16; i++)
        {
            Assert.Equal("ProvisionedThroughputExceededException", (string)answers[i]!["ErrorCode"]!);
            Assert.StartsWith("Rate exceeded for shard shardId-000000000000 in stream " + stream, (string)answers[i]!["ErrorMessage"]!, StringComparison.Ordinal);
            Assert.Null(answers[i]!["SequenceNumber"]);
        }

        Assert.Equal("shardId-000000000001", (string)answers[16]!["ShardId"]!);
        Assert.NotNull((string?)answers[16]!["SequenceNumber"]);

        // Read back: exactly the accepted records, none of the refused.
        var read = new HashSet<string>();
        read.UnionWith(await ReadKinesisAsync(client, stream, "shardId-000000000000", expected: written.Count(p => p.Length == 1000)));
        read.UnionWith(await ReadKinesisAsync(client, stream, "shardId-000000000001", expected: written.Count(p => p.Length == 100)));

        Assert.Equal(written.OrderBy(p => p, StringComparer.Ordinal), read.OrderBy(p => p, StringComparer.Ordinal));
        Assert.Empty(read.Intersect(refusedOnShard0));
    }

    [Fact]
    public async Task Kinesis_PutRecord_is_refused_whole_with_ProvisionedThroughputExceededException()
    {
        var (kinesis, _) = await NewKinesisClientAsync();
        using var client = kinesis;
        var stream = $"qp-{Guid.NewGuid():N}";
        await client.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 1 });
        var data = Convert.ToBase64String(new byte[20 * 1024]);

        JsonNode? refused = null;
        HttpStatusCode status = default;
        var deadline = Stopwatch.StartNew();
        while (refused is null)
        {
            Assert.True(deadline.Elapsed < Bound, "PutRecord was never throttled");
            var (answerStatus, answer) = await client.SendAsync("PutRecord", new { StreamName = stream, Data = data, PartitionKey = "k" });
            if (answerStatus != HttpStatusCode.OK)
            {
                (status, refused) = (answerStatus, answer);
            }
        }

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("ProvisionedThroughputExceededException", (string)refused!["__type"]!);
        Assert.StartsWith("Rate exceeded for shard shardId-000000000000", (string)refused["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kinesis_GetRecords_is_held_at_five_calls_a_second_per_shard()
    {
        var (kinesis, _) = await NewKinesisClientAsync();
        using var client = kinesis;
        var stream = $"qg-{Guid.NewGuid():N}";
        await client.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 2 });
        var iterators = new List<string>();
        foreach (var shard in new[] { "shardId-000000000000", "shardId-000000000001" })
        {
            iterators.Add((string)(await client.CallAsync("GetShardIterator", new { StreamName = stream, ShardId = shard, ShardIteratorType = "TRIM_HORIZON" }))["ShardIterator"]!);
        }

        // Spend shard 0's burst of calls.
        JsonNode? refused = null;
        var deadline = Stopwatch.StartNew();
        while (refused is null)
        {
            Assert.True(deadline.Elapsed < Bound, "GetRecords was never throttled");
            var (status, answer) = await client.SendAsync("GetRecords", new { ShardIterator = iterators[0] });
            if (status == HttpStatusCode.BadRequest)
            {
                refused = answer;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, status);
                iterators[0] = (string)answer!["NextShardIterator"]!;
            }
        }

        Assert.Equal("ProvisionedThroughputExceededException", (string)refused["__type"]!);
        Assert.StartsWith("Rate exceeded for shard shardId-000000000000", (string)refused["message"]!, StringComparison.Ordinal);

        // The other shard has calls of its own.
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync("GetRecords", new { ShardIterator = iterators[1] })).Status);

        // As fast as it can for three seconds: five calls a second get through.
        var window = TimeSpan.FromSeconds(3);
        var served = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window)
        {
            var (status, answer) = await client.SendAsync("GetRecords", new { ShardIterator = iterators[0] });
            if (status == HttpStatusCode.OK)
            {
                served++;
                iterators[0] = (string)answer!["NextShardIterator"]!;
            }
        }

        AssertRate(QuotaClusterFixture.ShardReadCalls, served / clock.Elapsed.TotalSeconds);
    }

    [Fact]
    public async Task A_gRPC_put_whose_every_record_is_throttled_fails_with_RESOURCE_EXHAUSTED_and_retry_info()
    {
        var tenant = await cluster.CreateTenantAsync("qg");
        var stream = await CreateStreamAsync(tenant, shards: 1);
        using var client = cluster.CreateClient(tenant);
        var entries = Enumerable.Range(0, 8).Select(i => new PutRecordsEntry { PartitionKey = $"k{i}", Data = ByteString.CopyFrom(new byte[2000]) }).ToList();

        RpcException? refused = null;
        var deadline = Stopwatch.StartNew();
        while (refused is null)
        {
            Assert.True(deadline.Elapsed < Bound, "the gRPC put was never throttled");
            try
            {
                var response = await client.PutRecordsAsync(stream, entries);
                Assert.Equal(0, response.FailedRecordCount);
            }
            catch (RpcException ex)
            {
                refused = ex;
            }
        }

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.StartsWith("Rate exceeded for shard shardId-000000000000", refused.Status.Detail, StringComparison.Ordinal);
        Assert.InRange(int.Parse(refused.Trailers.GetValue("retry-after")!, System.Globalization.CultureInfo.InvariantCulture), 1, 2);
        Assert.InRange(long.Parse(refused.Trailers.GetValue("retry-after-ms")!, System.Globalization.CultureInfo.InvariantCulture), 1, 1000);
        Assert.True(Sluice.Client.SluiceClient.IsRetriable(refused));
    }

    [Fact]
    public async Task A_tenant_over_its_quota_is_throttled_while_another_tenant_at_the_same_rate_is_not()
    {
        const long tenantQuota = 8 * 1024;
        var limited = await cluster.CreateTenantAsync("qa");
        var free = await cluster.CreateTenantAsync("qb");
        using var admin = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromMinutes(10)));
        var set = await admin.PutAsJsonAsync($"/admin/v1/tenants/{limited.Name}/quotas", new { ingressBytesPerSecond = tenantQuota });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        var limitedStream = await CreateStreamAsync(limited, shards: 4);
        var freeStream = await CreateStreamAsync(free, shards: 4);
        var duration = TimeSpan.FromSeconds(4);
        var results = await Task.WhenAll(
            ProduceAsync(limited, limitedStream, duration),
            ProduceAsync(free, freeStream, duration));
        var (limitedAccepted, limitedRefused) = results[0];
        var (freeAccepted, freeRefused) = results[1];

        // ~40 KiB/s each, over four shards of 32 KiB/s: only the tenant quota can refuse, and only the limited tenant's.
        Assert.Equal(0, freeRefused);
        Assert.True(limitedRefused > 0);
        // The quota's rate plus its one-second burst, within the tolerance; the other tenant got more than that.
        var expected = tenantQuota * (duration.TotalSeconds + 1);
        Assert.True(freeAccepted > expected, $"the free tenant wrote only {freeAccepted} bytes");
        Assert.InRange(limitedAccepted, expected * (1 - Tolerance), expected * (1 + Tolerance));
    }

    /// <summary>Writes 4 records of 1 KiB every 100 ms for <paramref name="duration"/>; returns the bytes accepted and the records refused.</summary>
    private async Task<(long Accepted, long Refused)> ProduceAsync(TestTenant tenant, string stream, TimeSpan duration)
    {
        using var client = cluster.CreateClient(tenant);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        long accepted = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        for (var call = 0; clock.Elapsed < duration; call++)
        {
            var entries = Enumerable.Range(0, 4).Select(i => new PutRecordsEntry { PartitionKey = $"k{call}-{i}", Data = ByteString.CopyFrom(new byte[1024 - $"k{call}-{i}".Length]) }).ToList();
            try
            {
                var response = await client.PutRecordsAsync(stream, entries);
                foreach (var result in response.Results)
                {
                    if (string.IsNullOrEmpty(result.ErrorCode))
                    {
                        accepted += 1024;
                    }
                    else
                    {
                        Assert.Equal("Throttled", result.ErrorCode);
                        refused++;
                    }
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
            {
                refused += entries.Count;
            }

            await timer.WaitForNextTickAsync();
        }

        return (accepted, refused);
    }

    private static void AssertRate(double configured, double measured) =>
        Assert.True(measured >= configured * (1 - Tolerance) && measured <= configured * (1 + Tolerance),
            $"measured {measured:0.#}/s, configured {configured}/s (±{Tolerance:P0})");

    private async Task<string> CreateStreamAsync(TestTenant tenant, int shards)
    {
        using var client = cluster.CreateClient(tenant);
        var name = $"q-{Guid.NewGuid():N}";
        await client.CreateStreamAsync(name, shards);
        return name;
    }

    private static object RestBatch(int count, int bytes) => new
    {
        records = Enumerable.Range(0, count).Select(_ => new { partitionKey = "k", data = Convert.ToBase64String(new byte[bytes]) }).ToArray(),
    };

    /// <summary>Reads a shard to its end over REST, waiting out throttles; returns how many records it holds.</summary>
    private static async Task<long> CountRestAsync(HttpClient http, string stream, string shard, long atLeast)
    {
        long count = 0;
        string? next = null;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Assert.True(deadline.Elapsed < Bound, $"read {count} of at least {atLeast} records");
            var query = next is null ? "from=oldest&limit=1000" : $"from=at&sequenceNumber={next}&limit=1000";
            var response = await http.GetAsync($"/v1/streams/{stream}/shards/{shard}/records?{query}");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await Task.Delay(TimeSpan.FromSeconds(int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture)));
                continue;
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            var records = page["records"]!.AsArray().Count;
            count += records;
            next = (string)page["nextSequenceNumber"]!;
            if (records == 0)
            {
                return count;
            }
        }
    }

    /// <summary>Reads a shard from TRIM_HORIZON until it is caught up, waiting out throttles; returns the records' data.</summary>
    private static async Task<List<string>> ReadKinesisAsync(SignedKinesisClient client, string stream, string shard, int expected)
    {
        var data = new List<string>();
        var iterator = (string)(await client.CallAsync("GetShardIterator", new { StreamName = stream, ShardId = shard, ShardIteratorType = "TRIM_HORIZON" }))["ShardIterator"]!;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Assert.True(deadline.Elapsed < Bound, $"read {data.Count} of {expected} records of {shard}");
            var (status, page) = await client.SendAsync("GetRecords", new { ShardIterator = iterator });
            if (status == HttpStatusCode.BadRequest && (string?)page?["__type"] == "ProvisionedThroughputExceededException")
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250));
                continue;
            }

            Assert.Equal(HttpStatusCode.OK, status);
            var records = page!["Records"]!.AsArray();
            data.AddRange(records.Select(r => Encoding.UTF8.GetString(Convert.FromBase64String((string)r!["Data"]!))));
            iterator = (string)page["NextShardIterator"]!;
            if (records.Count == 0 && (long)page["MillisBehindLatest"]! == 0)
            {
                return data;
            }
        }
    }

    private async Task<(SignedKinesisClient Client, TestTenant Tenant)> NewKinesisClientAsync()
    {
        var tenant = await cluster.CreateTenantAsync("qk");
        var key = await cluster.CreateAccessKeyAsync(tenant);
        return (new SignedKinesisClient(cluster.HttpEndpoint, key.AccessKeyId, key.SecretAccessKey), tenant);
    }
}
