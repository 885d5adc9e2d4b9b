using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Google.Protobuf;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.V1;

namespace Sluice.IntegrationTests.Records;

[Collection(ClusterCollection.Name)]
public sealed class BadInputTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Invalid_records_fail_one_by_one_and_valid_ones_in_the_same_batch_are_written()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var http = cluster.CreateHttpClient(tenant.Token);
        (await http.PostAsJsonAsync("/v1/streams", new { name = "mixed", shardCount = 2 })).EnsureSuccessStatusCode();

        var tooBig = Convert.ToBase64String(new byte[1024 * 1024]);
        var body = $$"""
            {"records": [
              {"partitionKey": "ok-1", "data": "{{B64("first")}}"},
              {"partitionKey": "big", "data": "{{tooBig}}"},
              {"partitionKey": "", "data": "{{B64("x")}}"},
              {"partitionKey": "{{new string('k', 257)}}", "data": "{{B64("x")}}"},
              {"partitionKey": "bad64", "data": "not*base64!"},
              {"partitionKey": "nodata"},
              {"partitionKey": "ehk", "data": "{{B64("x")}}", "explicitHashKey": "340282366920938463463374607431768211456"},
              {"partitionKey": "ok-2", "data": "{{B64("second")}}"}
            ]}
            """;
        using var response = await http.PostAsync("/v1/streams/mixed/records", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(6, result.GetProperty("failedRecordCount").GetInt32());
        var records = result.GetProperty("records").EnumerateArray().ToList();
        Assert.True(records[0].TryGetProperty("sequenceNumber", out _));
        AssertError(records[1], "1048576");
        AssertError(records[2], "must not be empty");
        AssertError(records[3], "256 characters");
        AssertError(records[4], "not valid base64");
        AssertError(records[5], "data is required");
        AssertError(records[6], "Explicit hash key");
        Assert.True(records[7].TryGetProperty("sequenceNumber", out _));

        var all = new List<string>();
        foreach (var shard in new[] { "shardId-000000000000", "shardId-000000000001" })
        {
            var read = await http.GetFromJsonAsync<JsonElement>($"/v1/streams/mixed/shards/{shard}/records?from=oldest");
            all.AddRange(read.GetProperty("records").EnumerateArray().Select(r => Encoding.UTF8.GetString(r.GetProperty("data").GetBytesFromBase64())));
        }

        Assert.Equal(["first", "second"], all.Order());
    }

    [Fact]
    public async Task More_than_500_records_or_5_MiB_in_one_call_is_refused_whole_and_writes_nothing()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var http = cluster.CreateHttpClient(tenant.Token);
        (await http.PostAsJsonAsync("/v1/streams", new { name = "limits", shardCount = 1 })).EnsureSuccessStatusCode();

        var tooMany = new { records = Enumerable.Range(0, 501).Select(i => new { partitionKey = $"k{i}", data = B64("x") }) };
        await Problem.AssertAsync(await http.PostAsJsonAsync("/v1/streams/limits/records", tooMany), HttpStatusCode.BadRequest, "limit of 500 records");

        var chunk = Convert.ToBase64String(new byte[1000 * 1024]);
        var tooLarge = new { records = Enumerable.Range(0, 6).Select(i => new { partitionKey = $"k{i}", data = chunk }) };
        await Problem.AssertAsync(await http.PostAsJsonAsync("/v1/streams/limits/records", tooLarge), HttpStatusCode.BadRequest, "5 MiB");

        await Problem.AssertAsync(await http.PostAsJsonAsync("/v1/streams/limits/records", new { records = Array.Empty<object>() }), HttpStatusCode.BadRequest, "at least one record");

        var read = await http.GetFromJsonAsync<JsonElement>("/v1/streams/limits/shards/shardId-000000000000/records?from=oldest");
        Assert.Empty(read.GetProperty("records").EnumerateArray());
    }

    [Fact]
    public async Task Bad_read_positions_are_refused_with_the_reason()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var http = cluster.CreateHttpClient(tenant.Token);
        (await http.PostAsJsonAsync("/v1/streams", new { name = "reads", shardCount = 2 })).EnsureSuccessStatusCode();
        var put = await (await http.PostAsJsonAsync("/v1/streams/reads/records", new { records = new[] { new { partitionKey = "k", data = B64("v") } } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var sequence = put.GetProperty("records")[0].GetProperty("sequenceNumber").GetString()!;
        var shard = put.GetProperty("records")[0].GetProperty("shardId").GetString()!;
        var otherShard = shard.EndsWith('0') ? "shardId-000000000001" : "shardId-000000000000";

        await Problem.AssertAsync(await http.GetAsync($"/v1/streams/reads/shards/{shard}/records?from=at&sequenceNumber=123"), HttpStatusCode.BadRequest, "not a valid sequence number");
        await Problem.AssertAsync(await http.GetAsync($"/v1/streams/reads/shards/{otherShard}/records?from=at&sequenceNumber={sequence}"), HttpStatusCode.BadRequest, "does not belong to shard");
        await Problem.AssertAsync(await http.GetAsync($"/v1/streams/reads/shards/{shard}/records?from=at"), HttpStatusCode.BadRequest, "'sequenceNumber' is required");
        await Problem.AssertAsync(await http.GetAsync($"/v1/streams/reads/shards/{shard}/records?from=sideways"), HttpStatusCode.BadRequest, "'from' must be one of");
        await Problem.AssertAsync(await http.GetAsync($"/v1/streams/reads/shards/{shard}/records?from=timestamp&timestamp=yesterday"), HttpStatusCode.BadRequest, "ISO-8601");
        await Problem.AssertAsync(await http.GetAsync($"/v1/streams/reads/shards/{shard}/records?limit=10001"), HttpStatusCode.BadRequest, "between 1 and 10000");
        await Problem.AssertAsync(await http.GetAsync("/v1/streams/reads/shards/shardId-000000000009/records"), HttpStatusCode.NotFound, "does not exist");
        await Problem.AssertAsync(await http.GetAsync("/v1/streams/reads/shards/bogus/records"), HttpStatusCode.NotFound, "does not exist");

        var beyond = Sluice.Core.SequenceNumber.Encode(int.Parse(shard[^1..], System.Globalization.CultureInfo.InvariantCulture), 1000);
        await Problem.AssertAsync(await http.GetAsync($"/v1/streams/reads/shards/{shard}/records?from=at&sequenceNumber={beyond}"), HttpStatusCode.BadRequest, "beyond the end");

        var ok = await http.GetFromJsonAsync<JsonElement>($"/v1/streams/reads/shards/{shard}/records?from=at&sequenceNumber={sequence}");
        Assert.Equal("v", Encoding.UTF8.GetString(ok.GetProperty("records")[0].GetProperty("data").GetBytesFromBase64()));
        Assert.Equal("k", ok.GetProperty("records")[0].GetProperty("partitionKey").GetString());
    }

    [Fact]
    public async Task Grpc_puts_report_per_record_errors_and_request_limits()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        await client.CreateStreamAsync("grpc-bad", 1);

        var response = await client.PutRecordsAsync("grpc-bad", [
            EndToEndTests.Entry("good", "1"),
            new PutRecordsEntry { PartitionKey = "", Data = ByteString.CopyFromUtf8("x") },
            new PutRecordsEntry { PartitionKey = "big", Data = ByteString.CopyFrom(new byte[1024 * 1024]) },
        ]);
        Assert.Equal(2, response.FailedRecordCount);
        Assert.NotEmpty(response.Results[0].SequenceNumber);
        Assert.Equal("InvalidArgument", response.Results[1].ErrorCode);
        Assert.Equal("InvalidArgument", response.Results[2].ErrorCode);

        var tooMany = Enumerable.Range(0, 501).Select(i => EndToEndTests.Entry($"k{i}", "x")).ToList();
        var error = await Assert.ThrowsAsync<RpcException>(() => client.PutRecordsAsync("grpc-bad", tooMany));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("500", error.Status.Detail, StringComparison.Ordinal);

        var badSequence = await Assert.ThrowsAsync<RpcException>(() => client.GetRecordsAsync(new GetRecordsRequest
        {
            Stream = "grpc-bad", ShardId = "shardId-000000000000", Position = StartPosition.AtSequenceNumber, SequenceNumber = "42",
        }));
        Assert.Equal(StatusCode.InvalidArgument, badSequence.StatusCode);
    }

    private static void AssertError(JsonElement record, string messageContains)
    {
        Assert.False(record.TryGetProperty("sequenceNumber", out _));
        Assert.Equal("InvalidArgument", record.GetProperty("errorCode").GetString());
        Assert.Contains(messageContains, record.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
