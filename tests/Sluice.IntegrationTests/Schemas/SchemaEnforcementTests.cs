using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.IntegrationTests.Kinesis;
using Sluice.V1;
using static Sluice.IntegrationTests.Schemas.SchemaFixtures;

namespace Sluice.IntegrationTests.Schemas;

/// <summary>
/// Schemas enforced at produce time on every face: a stream bound to a subject takes only records valid against the
/// subject's live versions, each bad record of a batch is refused alone with its reason, and the good ones are written
/// byte for byte. Registry changes (a version registered, one deleted) apply at once.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SchemaEnforcementTests(ClusterFixture cluster)
{
    /// <summary>A registry change reaches the gateway by NOTIFY; its cache's own expiry (30 s) is far beyond this.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Rest_put_refuses_each_bad_record_alone_and_writes_the_valid_ones()
    {
        var tenant = await cluster.CreateTenantAsync("sr");
        var batch = await MixedBatch.CreateAsync(cluster, tenant, "rest");
        using var http = cluster.CreateHttpClient(tenant.Token);

        var records = batch.Records.Select((r, i) => new { partitionKey = $"k{i}", data = Convert.ToBase64String(r.Data) }).ToArray();
        using var response = await http.PostAsJsonAsync($"/v1/streams/{batch.Stream}/records", new { records });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(batch.Refused, body.GetProperty("failedRecordCount").GetInt32());
        var results = body.GetProperty("records").EnumerateArray().ToList();
        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i];
            batch.AssertResult(i, result.TryGetProperty("sequenceNumber", out _),
                result.TryGetProperty("errorCode", out var code) ? code.GetString() : null,
                result.TryGetProperty("errorMessage", out var message) ? message.GetString() : null,
                "InvalidArgument");
        }

        using var client = cluster.CreateClient(tenant);
        await batch.AssertOnlyValidWrittenAsync(client);
    }

    [Fact]
    public async Task Grpc_put_refuses_each_bad_record_alone_and_writes_the_valid_ones()
    {
        var tenant = await cluster.CreateTenantAsync("sr");
        var batch = await MixedBatch.CreateAsync(cluster, tenant, "grpc");
        using var client = cluster.CreateClient(tenant);

        var response = await client.PutRecordsAsync(batch.Stream, batch.Entries());
        Assert.Equal(batch.Refused, response.FailedRecordCount);
        for (var i = 0; i < response.Results.Count; i++)
        {
            var result = response.Results[i];
            batch.AssertResult(i, result.SequenceNumber.Length > 0, result.ErrorCode, result.ErrorMessage, "InvalidArgument");
        }

        await batch.AssertOnlyValidWrittenAsync(client);
    }

    [Fact]
    public async Task Kinesis_PutRecords_refuses_each_bad_record_alone_with_InvalidArgumentException()
    {
        var tenant = await cluster.CreateTenantAsync("sr");
        var batch = await MixedBatch.CreateAsync(cluster, tenant, "kin");
        var key = await cluster.CreateAccessKeyAsync(tenant);
        using var kinesis = new SignedKinesisClient(cluster.HttpEndpoint, key.AccessKeyId, key.SecretAccessKey);

        var records = batch.Records.Select((r, i) => new { Data = Convert.ToBase64String(r.Data), PartitionKey = $"k{i}" }).ToArray();
        var answer = await kinesis.CallAsync("PutRecords", new { StreamName = batch.Stream, Records = records });
        Assert.Equal(batch.Refused, (int)answer["FailedRecordCount"]!);
        var results = answer["Records"]!.AsArray();
        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i]!;
            batch.AssertResult(i, result["SequenceNumber"] is not null, (string?)result["ErrorCode"], (string?)result["ErrorMessage"], "InvalidArgumentException");
        }

        using var client = cluster.CreateClient(tenant);
        await batch.AssertOnlyValidWrittenAsync(client);
    }

    [Fact]
    public async Task Kinesis_PutRecord_answers_a_refused_record_with_a_400_InvalidArgumentException()
    {
        var tenant = await cluster.CreateTenantAsync("sr");
        var batch = await MixedBatch.CreateAsync(cluster, tenant, "kin1");
        var key = await cluster.CreateAccessKeyAsync(tenant);
        using var kinesis = new SignedKinesisClient(cluster.HttpEndpoint, key.AccessKeyId, key.SecretAccessKey);

        for (var i = 0; i < batch.Records.Count; i++)
        {
            var (status, body) = await kinesis.SendAsync("PutRecord",
                new { StreamName = batch.Stream, Data = Convert.ToBase64String(batch.Records[i].Data), PartitionKey = $"k{i}" });
            if (batch.Records[i].Error is null)
            {
                Assert.True(status == HttpStatusCode.OK, $"record {i}: {(int)status} {body?.ToJsonString()}");
                continue;
            }

            Assert.Equal(HttpStatusCode.BadRequest, status);
            batch.AssertResult(i, false, (string?)body!["__type"], (string?)body["message"], "InvalidArgumentException");
        }

        using var client = cluster.CreateClient(tenant);
        await batch.AssertOnlyValidWrittenAsync(client);
    }

    [Fact]
    public async Task A_new_version_is_accepted_and_a_deleted_one_refused_as_soon_as_the_registry_answered()
    {
        var tenant = await cluster.CreateTenantAsync("sr");
        using var http = cluster.CreateHttpClient(tenant.Token);
        using var client = cluster.CreateClient(tenant);
        var subject = Name("evolve") + "-value";
        var v1 = await RegisterAsync(http, subject, OrderSchema);
        var stream = Name("evolve");
        await client.CreateStreamAsync(stream, 1);
        // NONE: the versions below are about enforcement, not compatibility.
        var binding = await client.SetStreamSchemaAsync(stream, subject, "NONE");
        Assert.Equal("NONE", binding.Compatibility);

        // The gateway now caches the subject with version 1 only.
        await AssertWrittenAsync(client, stream, Wire(v1, """{"id":1,"amount":1}"""));
        var v2 = await RegisterAsync(http, subject, OrderSchemaV2);
        Assert.NotEqual(v1, v2);
        await Wait.UntilAsync(async () => (await PutAsync(client, stream, Wire(v2, """{"id":2,"amount":1,"note":"n"}"""))).ErrorCode.Length == 0,
            Prompt, () => $"a record of the new version {v2} accepted");

        await SoftDeleteAsync(http, subject, 1);
        await Wait.UntilAsync(async () => (await PutAsync(client, stream, Wire(v1, """{"id":3,"amount":1}"""))).ErrorCode.Length > 0,
            Prompt, () => $"a record of the deleted version {v1} refused");
        var refused = await PutAsync(client, stream, Wire(v1, """{"id":3,"amount":1}"""));
        Assert.Equal("InvalidArgument", refused.ErrorCode);
        Assert.Equal($"schema id {v1} is not a version of subject '{subject}'", refused.ErrorMessage);

        // Plain JSON is now checked against version 2, the latest.
        var against = await PutAsync(client, stream, Utf8("""{"id":4,"amount":1,"note":5}"""));
        Assert.StartsWith($"record is not valid against schema '{subject}' version 2 (id {v2}, JSON Schema 'Order'): ", against.ErrorMessage, StringComparison.Ordinal);

        // With no live version left, every record is refused, and says why.
        await SoftDeleteAsync(http, subject, 2);
        await Wait.UntilAsync(async () => (await PutAsync(client, stream, Utf8("""{"id":5,"amount":1}"""))).ErrorMessage.Contains("no live schema version", StringComparison.Ordinal),
            Prompt, () => "records refused once the subject has no live version");
        var none = await PutAsync(client, stream, Wire(v2, """{"id":6,"amount":1,"note":"n"}"""));
        Assert.Equal($"subject '{subject}' has no live schema version, so no record is accepted: register a schema under it, or unbind the stream from it", none.ErrorMessage);
    }

    [Fact]
    public async Task A_stream_not_bound_takes_any_bytes_and_one_unbound_takes_them_again()
    {
        var tenant = await cluster.CreateTenantAsync("sr");
        using var http = cluster.CreateHttpClient(tenant.Token);
        using var client = cluster.CreateClient(tenant);
        var stream = Name("free");
        await client.CreateStreamAsync(stream, 1);
        byte[][] anything = [Utf8("not json"), [0], Wire(int.MaxValue, "x")];
        foreach (var data in anything)
        {
            await AssertWrittenAsync(client, stream, data);
        }

        var subject = Name("free") + "-value";
        await RegisterAsync(http, subject, OrderSchema);
        await client.SetStreamSchemaAsync(stream, subject);
        Assert.Equal("InvalidArgument", (await PutAsync(client, stream, Utf8("not json"))).ErrorCode);
        var cleared = await client.ClearStreamSchemaAsync(stream);
        Assert.Equal("", cleared.SchemaSubject);
        foreach (var data in anything)
        {
            await AssertWrittenAsync(client, stream, data);
        }
    }

    [Fact]
    public async Task Rest_get_records_with_decode_gives_each_record_as_json_or_the_reason_it_cannot_be()
    {
        var tenant = await cluster.CreateTenantAsync("sr");
        using var http = cluster.CreateHttpClient(tenant.Token);
        using var client = cluster.CreateClient(tenant);
        var orders = await RegisterAsync(http, Name("dec-orders") + "-value", OrderSchema);
        var payments = await RegisterAsync(http, Name("dec-payments") + "-value", PaymentSchema);
        var other = await cluster.CreateTenantAsync("other");
        using var otherHttp = cluster.CreateHttpClient(other.Token);
        var foreign = await RegisterAsync(otherHttp, Name("dec-orders") + "-value", OrderSchema);
        var stream = Name("decode");
        await client.CreateStreamAsync(stream, 1);
        byte[][] records =
        [
            Wire(orders, """{"id":1,"amount":2.5}"""),
            Wire(payments, """{"iban":"DE00"}"""),
            Utf8("""{"plain":true}"""),
            Utf8("not json"),
            [0, 0],
            Wire(foreign, """{"id":2,"amount":1}"""),
        ];
        foreach (var data in records)
        {
            await AssertWrittenAsync(client, stream, data);
        }

        var page = await http.GetFromJsonAsync<JsonElement>($"/v1/streams/{stream}/shards/shardId-000000000000/records?from=oldest&decode=true");
        var read = page.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(records.Length, read.Count);
        Assert.Equal(2.5, read[0].GetProperty("decoded").GetProperty("amount").GetDouble());
        Assert.Equal(orders, read[0].GetProperty("schemaId").GetInt32());
        Assert.Equal("DE00", read[1].GetProperty("decoded").GetProperty("iban").GetString());
        Assert.Equal(payments, read[1].GetProperty("schemaId").GetInt32());
        Assert.True(read[2].GetProperty("decoded").GetProperty("plain").GetBoolean());
        Assert.False(read[2].TryGetProperty("schemaId", out _));
        Assert.StartsWith("record is neither JSON nor in Confluent's wire format", read[3].GetProperty("decodeError").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("truncated Confluent wire header", read[4].GetProperty("decodeError").GetString(), StringComparison.Ordinal);
        Assert.Equal($"schema id {foreign} is not a schema of this tenant's registry", read[5].GetProperty("decodeError").GetString());
        Assert.All(read, r => Assert.True(r.TryGetProperty("data", out _)));

        // Without decode the answer is as it always was.
        var plain = await http.GetFromJsonAsync<JsonElement>($"/v1/streams/{stream}/shards/shardId-000000000000/records?from=oldest");
        Assert.All(plain.GetProperty("records").EnumerateArray(), r =>
        {
            Assert.False(r.TryGetProperty("decoded", out _));
            Assert.False(r.TryGetProperty("decodeError", out _));
        });

        // gRPC decodes the same way.
        var grpc = await client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = "shardId-000000000000", Position = StartPosition.TrimHorizon, Decode = true });
        Assert.Equal(orders, grpc.Records[0].SchemaId);
        Assert.Equal(2.5, JsonNode.Parse(grpc.Records[0].DecodedJson)!["amount"]!.GetValue<double>());
        Assert.False(grpc.Records[2].HasSchemaId);
        Assert.Equal($"schema id {foreign} is not a schema of this tenant's registry", grpc.Records[5].DecodeError);
    }

    private static async Task<PutRecordsResult> PutAsync(Sluice.Client.SluiceClient client, string stream, byte[] data)
    {
        var response = await client.PutRecordsAsync(stream, [new PutRecordsEntry { PartitionKey = "k", Data = ByteString.CopyFrom(data) }]);
        return response.Results[0];
    }

    private static async Task AssertWrittenAsync(Sluice.Client.SluiceClient client, string stream, byte[] data)
    {
        var result = await PutAsync(client, stream, data);
        Assert.True(result.ErrorCode.Length == 0, $"{Convert.ToHexString(data)}: {result.ErrorCode} {result.ErrorMessage}");
    }
}
