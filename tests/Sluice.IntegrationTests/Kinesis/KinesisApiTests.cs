using System.Formats.Cbor;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Kinesis;

/// <summary>
/// The Kinesis JSON protocol against a real cluster, with a client that can send anything: the
/// answers' shapes, every validation path, iterators that are forged, foreign or stale, and the
/// stream administration operations. Real AWS clients are driven in <c>RealClientTests</c>.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class KinesisApiTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Records_put_over_HTTP_1_and_HTTP_2_read_back_through_every_iterator_type()
    {
        var (client, tenant) = await NewClientAsync();
        using var owned = client;
        using var h2 = new SignedKinesisClient(cluster.GrpcEndpoint, client.AccessKeyId, client.Secret, HttpVersion.Version20);
        var stream = Name("it");
        await client.Inner.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 2 });

        var entries = Enumerable.Range(0, 300).Select(i => new { Data = Convert.ToBase64String(Encoding.UTF8.GetBytes($"v{i}")), PartitionKey = $"k{i}" }).ToArray();
        var put = await h2.CallAsync("PutRecords", new { StreamName = stream, Records = entries });
        Assert.Equal(0, (int)put["FailedRecordCount"]!);
        Assert.Equal(300, put["Records"]!.AsArray().Count);
        var single = await client.Inner.CallAsync("PutRecord", new { StreamName = stream, Data = Convert.ToBase64String("last"u8.ToArray()), PartitionKey = "k0", SequenceNumberForOrdering = (string)put["Records"]![0]!["SequenceNumber"]! });
        var shardOfK0 = (string)put["Records"]![0]!["ShardId"]!;
        Assert.Equal(shardOfK0, (string)single["ShardId"]!);
        Assert.True(string.CompareOrdinal((string)single["SequenceNumber"]!, (string)put["Records"]![0]!["SequenceNumber"]!) > 0);

        // TRIM_HORIZON over both shards gives back every record once.
        var seen = new List<string>();
        foreach (var shard in new[] { "shardId-000000000000", "shardId-000000000001" })
        {
            var iterator = (string)(await client.Inner.CallAsync("GetShardIterator", new { StreamName = stream, ShardId = shard, ShardIteratorType = "TRIM_HORIZON" }))["ShardIterator"]!;
            var page = await client.Inner.CallAsync("GetRecords", new { ShardIterator = iterator });
            foreach (var record in page["Records"]!.AsArray())
            {
                seen.Add(Encoding.UTF8.GetString(Convert.FromBase64String((string)record!["Data"]!)));
                Assert.True((double)record["ApproximateArrivalTimestamp"]! > 1_700_000_000);
            }

            Assert.Equal(0, (long)page["MillisBehindLatest"]!);
            Assert.NotNull((string?)page["NextShardIterator"]);
        }

        Assert.Equal(301, seen.Count);
        Assert.Equal(301, seen.Distinct().Count());

        // AT/AFTER_SEQUENCE_NUMBER start at and after the record; LATEST sees only what comes later.
        var firstSequence = (string)put["Records"]![0]!["SequenceNumber"]!;
        var at = await ReadOnceAsync(client.Inner, stream, shardOfK0, "AT_SEQUENCE_NUMBER", firstSequence);
        Assert.Equal(firstSequence, (string)at[0]!["SequenceNumber"]!);
        var after = await ReadOnceAsync(client.Inner, stream, shardOfK0, "AFTER_SEQUENCE_NUMBER", firstSequence);
        Assert.True(string.CompareOrdinal((string)after[0]!["SequenceNumber"]!, firstSequence) > 0);

        var latest = (string)(await client.Inner.CallAsync("GetShardIterator", new { StreamName = stream, ShardId = shardOfK0, ShardIteratorType = "LATEST" }))["ShardIterator"]!;
        await client.Inner.CallAsync("PutRecord", new { StreamName = stream, Data = Convert.ToBase64String("new"u8.ToArray()), PartitionKey = "k0" });
        var fresh = (await client.Inner.CallAsync("GetRecords", new { ShardIterator = latest }))["Records"]!.AsArray();
        Assert.Equal("new", Encoding.UTF8.GetString(Convert.FromBase64String((string)Assert.Single(fresh)!["Data"]!)));

        var fromTime = await ReadOnceAsync(client.Inner, stream, shardOfK0, "AT_TIMESTAMP", timestamp: DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds());
        Assert.NotEmpty(fromTime);
        Assert.Equal(tenant.AccountId, ((string)(await client.Inner.CallAsync("DescribeStreamSummary", new { StreamName = stream }))["StreamDescriptionSummary"]!["StreamARN"]!).Split(':')[4]);
    }

    [Fact]
    public async Task Errors_are_Kinesis_shaped_with_its_types_statuses_and_wording()
    {
        var (client, tenant) = await NewClientAsync();
        using var owned = client;
        var missing = Name("missing");

        var (status, body) = await client.Inner.SendAsync("DescribeStream", new { StreamName = missing });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("ResourceNotFoundException", (string)body!["__type"]!);
        Assert.Equal($"Stream {missing} under account {tenant.AccountId} not found.", (string)body["message"]!);
        Assert.True(Guid.TryParse(client.Inner.LastRequestId, out _));

        (status, body) = await client.Inner.SendAsync("CreateStream", new { StreamName = "bad name!", ShardCount = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("ValidationException", (string)body!["__type"]!);
        Assert.StartsWith("2 validation errors detected: ", (string)body["message"]!);
        Assert.Contains("at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", (string)body["message"]!);
        Assert.Contains("Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1", (string)body["message"]!);

        (status, body) = await client.Inner.SendRawAsync("ListStreams", "{\"Limit\": "u8.ToArray());
        Assert.Equal("SerializationException", (string)body!["__type"]!);
        (status, body) = await client.Inner.SendRawAsync("ListStreams", "{\"Limit\": \"ten\"}"u8.ToArray());
        Assert.Equal("SerializationException", (string)body!["__type"]!);
        (status, body) = await client.Inner.SendAsync("FlyToTheMoon", new { });
        Assert.Equal("UnknownOperationException", (string)body!["__type"]!);

        var stream = Name("dup");
        await client.Inner.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 1 });
        (status, body) = await client.Inner.SendAsync("CreateStream", new { StreamName = stream, ShardCount = 1 });
        Assert.Equal("ResourceInUseException", (string)body!["__type"]!);

        // PutRecords with one bad record is refused whole, as Kinesis does: nothing is written.
        (status, body) = await client.Inner.SendAsync("PutRecords", new
        {
            StreamName = stream,
            Records = new object[] { new { Data = "AA==", PartitionKey = "ok" }, new { Data = "AA==", PartitionKey = "" } },
        });
        Assert.Equal("ValidationException", (string)body!["__type"]!);
        Assert.Contains("'records.2.member.partitionKey'", (string)body["message"]!);
        var iterator = (string)(await client.Inner.CallAsync("GetShardIterator", new { StreamName = stream, ShardId = "shardId-000000000000", ShardIteratorType = "TRIM_HORIZON" }))["ShardIterator"]!;
        Assert.Empty((await client.Inner.CallAsync("GetRecords", new { ShardIterator = iterator }))["Records"]!.AsArray());

        (status, body) = await client.Inner.SendAsync("GetShardIterator", new { StreamName = stream, ShardId = "shardId-000000000007", ShardIteratorType = "TRIM_HORIZON" });
        Assert.Equal("ResourceNotFoundException", (string)body!["__type"]!);
        (status, body) = await client.Inner.SendAsync("GetShardIterator", new { StreamName = stream, ShardId = "shardId-000000000000", ShardIteratorType = "AT_SEQUENCE_NUMBER" });
        Assert.Equal("InvalidArgumentException", (string)body!["__type"]!);
    }

    [Fact]
    public async Task Forged_altered_and_foreign_iterators_are_refused_and_foreign_streams_look_missing()
    {
        var (owner, _) = await NewClientAsync();
        var (other, otherTenant) = await NewClientAsync();
        using var a = owner;
        using var b = other;
        var stream = Name("iter");
        await owner.Inner.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 1 });
        var iterator = (string)(await owner.Inner.CallAsync("GetShardIterator", new { StreamName = stream, ShardId = "shardId-000000000000", ShardIteratorType = "TRIM_HORIZON" }))["ShardIterator"]!;

        var bytes = Convert.FromBase64String(iterator);
        bytes[bytes.Length / 2] ^= 1;
        foreach (var bad in new[] { Convert.ToBase64String(bytes), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not base64!" })
        {
            var (status, body) = await owner.Inner.SendAsync("GetRecords", new { ShardIterator = bad });
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("InvalidArgumentException", (string)body!["__type"]!);
        }

        var (foreignStatus, foreign) = await other.Inner.SendAsync("GetRecords", new { ShardIterator = iterator });
        Assert.Equal(HttpStatusCode.BadRequest, foreignStatus);
        Assert.Equal("InvalidArgumentException", (string)foreign!["__type"]!);

        // The other tenant sees the stream exactly as a missing one, by name and by ARN.
        var (_, byName) = await other.Inner.SendAsync("DescribeStreamSummary", new { StreamName = stream });
        Assert.Equal($"Stream {stream} under account {otherTenant.AccountId} not found.", (string)byName!["message"]!);
        var arn = (string)(await owner.Inner.CallAsync("DescribeStreamSummary", new { StreamName = stream }))["StreamDescriptionSummary"]!["StreamARN"]!;
        var (_, byArn) = await other.Inner.SendAsync("PutRecord", new { StreamARN = arn, Data = "AA==", PartitionKey = "p" });
        Assert.Equal("ResourceNotFoundException", (string)byArn!["__type"]!);
        Assert.Equal(arn, (string)(await owner.Inner.CallAsync("DescribeStream", new { StreamARN = arn }))["StreamDescription"]!["StreamARN"]!);
    }

    [Fact]
    public async Task Stream_settings_tags_retention_encryption_limits_and_paging()
    {
        var (client, _) = await NewClientAsync();
        using var owned = client;
        var prefix = Name("adm");
        var names = Enumerable.Range(0, 3).Select(i => $"{prefix}-{i}").ToList();
        foreach (var name in names)
        {
            await client.Inner.CreateStreamAndWaitAsync(name, new { StreamName = name, ShardCount = 3 });
        }

        var page1 = await client.Inner.CallAsync("ListStreams", new { Limit = 2 });
        Assert.True((bool)page1["HasMoreStreams"]!);
        var page2 = await client.Inner.CallAsync("ListStreams", new { NextToken = (string)page1["NextToken"]! });
        Assert.Equal(names, page1["StreamNames"]!.AsArray().Concat(page2["StreamNames"]!.AsArray()).Select(n => (string)n!).ToList());

        var shards1 = await client.Inner.CallAsync("ListShards", new { StreamName = names[0], MaxResults = 2 });
        Assert.Equal(2, shards1["Shards"]!.AsArray().Count);
        var shards2 = await client.Inner.CallAsync("ListShards", new { NextToken = (string)shards1["NextToken"]! });
        Assert.Equal("shardId-000000000002", (string)Assert.Single(shards2["Shards"]!.AsArray())!["ShardId"]!);
        Assert.Null(shards2["NextToken"]);
        var afterFilter = await client.Inner.CallAsync("ListShards", new { StreamName = names[0], ShardFilter = new { Type = "AFTER_SHARD_ID", ShardId = "shardId-000000000000" } });
        Assert.Equal(2, afterFilter["Shards"]!.AsArray().Count);
        var (_, both) = await client.Inner.SendAsync("ListShards", new { StreamName = names[0], NextToken = (string)shards1["NextToken"]! });
        Assert.Equal("InvalidArgumentException", (string)both!["__type"]!);

        await client.Inner.CallAsync("IncreaseStreamRetentionPeriod", new { StreamName = names[0], RetentionPeriodHours = 48 });
        var (_, shorter) = await client.Inner.SendAsync("IncreaseStreamRetentionPeriod", new { StreamName = names[0], RetentionPeriodHours = 24 });
        Assert.Equal("InvalidArgumentException", (string)shorter!["__type"]!);
        await client.Inner.CallAsync("DecreaseStreamRetentionPeriod", new { StreamName = names[0], RetentionPeriodHours = 36 });
        Assert.Equal(36, (int)(await client.Inner.CallAsync("DescribeStream", new { StreamName = names[0] }))["StreamDescription"]!["RetentionPeriodHours"]!);

        await client.Inner.CallAsync("AddTagsToStream", new { StreamName = names[0], Tags = new Dictionary<string, string> { ["team"] = "data", ["env"] = "dev" } });
        await client.Inner.CallAsync("RemoveTagsFromStream", new { StreamName = names[0], TagKeys = new[] { "env" } });
        var tags = await client.Inner.CallAsync("ListTagsForStream", new { StreamName = names[0] });
        Assert.Equal("team", (string)Assert.Single(tags["Tags"]!.AsArray())!["Key"]!);

        await client.Inner.CallAsync("StartStreamEncryption", new { StreamName = names[0], EncryptionType = "KMS", KeyId = "alias/aws/kinesis" });
        var described = (await client.Inner.CallAsync("DescribeStreamSummary", new { StreamName = names[0] }))["StreamDescriptionSummary"]!;
        Assert.Equal("KMS", (string)described["EncryptionType"]!);
        Assert.Equal("KMS", (string)(await client.Inner.CallAsync("PutRecord", new { StreamName = names[0], Data = "AA==", PartitionKey = "p" }))["EncryptionType"]!);
        await client.Inner.CallAsync("StopStreamEncryption", new { StreamName = names[0], EncryptionType = "KMS", KeyId = "alias/aws/kinesis" });

        var limits = await client.Inner.CallAsync("DescribeLimits", new { });
        Assert.Equal(9, (int)limits["OpenShardCount"]!);

        var onDemand = $"{prefix}-od";
        await client.Inner.CreateStreamAndWaitAsync(onDemand, new { StreamName = onDemand, StreamModeDetails = new { StreamMode = "ON_DEMAND" } });
        var summary = (await client.Inner.CallAsync("DescribeStreamSummary", new { StreamName = onDemand }))["StreamDescriptionSummary"]!;
        Assert.Equal("ON_DEMAND", (string)summary["StreamModeDetails"]!["StreamMode"]!);
        Assert.Equal(4, (int)summary["OpenShardCount"]!);

        await client.Inner.CallAsync("DeleteStream", new { StreamName = names[2] });
        await client.Inner.WaitUntilGoneAsync(names[2]);
        var (_, gone) = await client.Inner.SendAsync("DescribeStream", new { StreamName = names[2] });
        Assert.Equal("ResourceNotFoundException", (string)gone!["__type"]!);
    }

    [Fact]
    public async Task The_TLS_port_serves_HTTP_2_and_HTTP_1_1_by_ALPN()
    {
        var (client, _) = await NewClientAsync();
        using var owned = client;
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(cluster.TlsCertificatePath));
        foreach (var version in new[] { HttpVersion.Version20, HttpVersion.Version11 })
        {
            using var tls = new SignedKinesisClient(cluster.HttpsEndpoint, client.AccessKeyId, client.Secret, version, certificate);
            var stream = Name("tls");
            await tls.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 1 });
            var put = await tls.CallAsync("PutRecord", new { StreamName = stream, Data = "aGk=", PartitionKey = "p" });
            Assert.Equal("shardId-000000000000", (string)put["ShardId"]!);
            Assert.Equal(version, tls.LastVersion);
        }

        // An untrusting client refuses the self-signed certificate: it really is TLS.
        using var untrusting = new SignedKinesisClient(cluster.HttpsEndpoint, client.AccessKeyId, client.Secret, HttpVersion.Version20);
        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.SendAsync("ListStreams", new { }));
    }

    [Fact]
    public async Task Bad_signatures_and_unknown_keys_get_AWS_errors()
    {
        var (client, _) = await NewClientAsync();
        using var owned = client;
        using var wrongSecret = new SignedKinesisClient(cluster.HttpEndpoint, client.AccessKeyId, client.Secret + "x");
        var (status, body) = await wrongSecret.SendAsync("ListStreams", new { });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("InvalidSignatureException", (string)body!["__type"]!);

        using var unknown = new SignedKinesisClient(cluster.HttpEndpoint, "SLUAAAAAAAAAAAAAAAAA", client.Secret);
        (status, body) = await unknown.SendAsync("ListStreams", new { });
        Assert.Equal("UnrecognizedClientException", (string)body!["__type"]!);

        using var http = new HttpClient { BaseAddress = cluster.HttpEndpoint };
        using var unsigned = new StringContent("{}", Encoding.UTF8);
        unsigned.Headers.ContentType = new("application/x-amz-json-1.1");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = unsigned };
        request.Headers.Add("X-Amz-Target", "Kinesis_20131202.ListStreams");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("MissingAuthenticationTokenException", (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["__type"]!);
    }

    [Fact]
    public async Task CBOR_clients_put_and_read_with_byte_strings_and_millisecond_timestamps()
    {
        var (client, _) = await NewClientAsync();
        using var owned = client;
        var stream = Name("cbor");
        await client.Inner.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 1 });
        const string Cbor = "application/x-amz-cbor-1.1";
        byte[] payload = [0, 1, 2, 0xFF, 0xFE];

        var put = new CborWriter();
        put.WriteStartMap(null);
        put.WriteTextString("StreamName");
        put.WriteTextString(stream);
        put.WriteTextString("Data");
        put.WriteByteString(payload);
        put.WriteTextString("PartitionKey");
        put.WriteTextString("p");
        put.WriteEndMap();
        var (status, answer, type) = await client.Inner.SendBytesAsync("PutRecord", put.Encode(), Cbor);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Cbor, type);
        var putAnswer = ReadMap(answer);
        Assert.Equal("shardId-000000000000", putAnswer["ShardId"]);

        var iterator = (string)(await client.Inner.CallAsync("GetShardIterator", new { StreamName = stream, ShardId = "shardId-000000000000", ShardIteratorType = "TRIM_HORIZON" }))["ShardIterator"]!;
        var get = new CborWriter();
        get.WriteStartMap(1);
        get.WriteTextString("ShardIterator");
        get.WriteTextString(iterator);
        get.WriteEndMap();
        (status, answer, _) = await client.Inner.SendBytesAsync("GetRecords", get.Encode(), Cbor);
        Assert.Equal(HttpStatusCode.OK, status);

        // Records[0]: Data a byte string, ApproximateArrivalTimestamp tag 1 over epoch milliseconds.
        var reader = new CborReader(answer, CborConformanceMode.Lax);
        byte[]? data = null;
        long? arrivalMs = null;
        reader.ReadStartMap();
        while (reader.PeekState() != CborReaderState.EndMap)
        {
            if (reader.ReadTextString() != "Records")
            {
                reader.SkipValue();
                continue;
            }

            reader.ReadStartArray();
            reader.ReadStartMap();
            while (reader.PeekState() != CborReaderState.EndMap)
            {
                switch (reader.ReadTextString())
                {
                    case "Data":
                        data = reader.ReadByteString();
                        break;
                    case "ApproximateArrivalTimestamp":
                        Assert.Equal(CborTag.UnixTimeSeconds, reader.ReadTag());
                        arrivalMs = reader.ReadInt64();
                        break;
                    default:
                        reader.SkipValue();
                        break;
                }
            }

            reader.ReadEndMap();
            while (reader.PeekState() != CborReaderState.EndArray)
            {
                reader.SkipValue();
            }

            reader.ReadEndArray();
        }

        Assert.Equal(payload, data);
        Assert.InRange(arrivalMs!.Value, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());

        // Errors come back in CBOR too, and broken CBOR is a SerializationException.
        (status, answer, _) = await client.Inner.SendBytesAsync("DescribeStream", [0xA1, 0x6A], Cbor);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("SerializationException", ReadMap(answer)["__type"]);
    }

    private static Dictionary<string, string> ReadMap(byte[] cbor)
    {
        var reader = new CborReader(cbor, CborConformanceMode.Lax);
        var map = new Dictionary<string, string>();
        reader.ReadStartMap();
        while (reader.PeekState() != CborReaderState.EndMap)
        {
            var key = reader.ReadTextString();
            if (reader.PeekState() == CborReaderState.TextString)
            {
                map[key] = reader.ReadTextString();
            }
            else
            {
                reader.SkipValue();
            }
        }

        return map;
    }

    private static async Task<JsonArray> ReadOnceAsync(SignedKinesisClient client, string stream, string shard, string type, string? sequence = null, long? timestamp = null)
    {
        var iterator = (string)(await client.CallAsync("GetShardIterator", new { StreamName = stream, ShardId = shard, ShardIteratorType = type, StartingSequenceNumber = sequence, Timestamp = timestamp }))["ShardIterator"]!;
        return (await client.CallAsync("GetRecords", new { ShardIterator = iterator, Limit = 10 }))["Records"]!.AsArray();
    }

    private static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private async Task<(Credentials Client, TestTenant Tenant)> NewClientAsync()
    {
        var tenant = await cluster.CreateTenantAsync("k");
        var key = await cluster.CreateAccessKeyAsync(tenant);
        return (new Credentials(new SignedKinesisClient(cluster.HttpEndpoint, key.AccessKeyId, key.SecretAccessKey), key.AccessKeyId, key.SecretAccessKey), tenant);
    }

    private sealed record Credentials(SignedKinesisClient Inner, string AccessKeyId, string Secret) : IDisposable
    {
        public void Dispose() => Inner.Dispose();
    }
}
