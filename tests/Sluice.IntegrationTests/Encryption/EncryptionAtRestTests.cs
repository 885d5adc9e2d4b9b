using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.IntegrationTests.Kinesis;

namespace Sluice.IntegrationTests.Encryption;

/// <summary>
/// Encryption at rest switched on a live stream: what the segment files of every replica hold, reads through every
/// face across plain and sealed batches, and the same after StopStreamEncryption and a storage node restart (which
/// moves the shard's leadership).
/// </summary>
[Collection(FaultClusterCollection.Name)]
public sealed class EncryptionAtRestTests(FaultClusterFixture cluster)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Records_written_while_encryption_is_on_are_not_in_plain_on_any_replica_and_every_record_stays_readable()
    {
        var tenant = await cluster.CreateTenantAsync("enc");
        var key = await cluster.CreateAccessKeyAsync(tenant);
        using var kinesis = new SignedKinesisClient(cluster.HttpEndpoint, key.AccessKeyId, key.SecretAccessKey);
        using var http = cluster.CreateHttpClient(tenant.Token);
        var stream = $"enc-{Guid.NewGuid():N}";
        var marker = Guid.NewGuid().ToString("N");
        await kinesis.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 1 });
        var streamId = await cluster.StreamIdAsync(tenant.Id, stream);
        var replicas = (await cluster.ShardStateAsync(streamId, 0)).Replicas;
        Assert.Equal(3, replicas.Count);

        var expected = new List<string>();
        await PutKinesisAsync(kinesis, stream, Values("PLAIN", marker, 0, 20), expected);

        await kinesis.CallAsync("StartStreamEncryption", new { StreamName = stream, EncryptionType = "KMS", KeyId = "alias/aws/kinesis" });
        var summary = (await kinesis.CallAsync("DescribeStreamSummary", new { StreamName = stream }))["StreamDescriptionSummary"]!;
        Assert.Equal("KMS", (string)summary["EncryptionType"]!);
        Assert.Equal("alias/aws/kinesis", (string)summary["KeyId"]!);
        Assert.Equal("ACTIVE", (string)summary["StreamStatus"]!);
        var rest = await http.GetFromJsonAsync<JsonElement>($"/v1/streams/{stream}");
        Assert.Equal("KMS", rest.GetProperty("encryption").GetString());

        // Right after the call answered: through Kinesis and through REST.
        await PutKinesisAsync(kinesis, stream, Values("SECRET", marker, 0, 20), expected);
        await PutRestAsync(http, stream, Values("SECRET", marker, 20, 20), expected);

        await WaitForReplicasInStepAsync(streamId, replicas);
        foreach (var node in replicas)
        {
            var disk = SegmentBytes(cluster.ReplicaDirectory(node, streamId, 0));
            Assert.True(Contains(disk, $"PLAIN|{marker}"), $"{node} lacks the plain records: the check would prove nothing");
            Assert.False(Contains(disk, $"SECRET|{marker}"), $"{node} holds records written under encryption in plain");
            Assert.False(Contains(disk, marker + "|SECRET"), $"{node} holds the partition keys of encrypted records in plain");
        }

        Assert.Equal(expected, await ReadAllKinesisAsync(kinesis, stream));
        Assert.Equal(expected, await ReadAllRestAsync(http, stream));

        await kinesis.CallAsync("StopStreamEncryption", new { StreamName = stream, EncryptionType = "KMS", KeyId = "alias/aws/kinesis" });
        summary = (await kinesis.CallAsync("DescribeStreamSummary", new { StreamName = stream }))["StreamDescriptionSummary"]!;
        Assert.Equal("NONE", (string)summary["EncryptionType"]!);
        await PutKinesisAsync(kinesis, stream, Values("AFTER", marker, 0, 10), expected);

        await WaitForReplicasInStepAsync(streamId, replicas);
        foreach (var node in replicas)
        {
            var disk = SegmentBytes(cluster.ReplicaDirectory(node, streamId, 0));
            Assert.True(Contains(disk, $"AFTER|{marker}"), $"{node} should hold records written after StopStreamEncryption in plain");
            Assert.False(Contains(disk, $"SECRET|{marker}"));
        }

        Assert.Equal(expected, await ReadAllKinesisAsync(kinesis, stream));

        // kill -9 of the shard's leader and a start: its leadership moves (or is confirmed at a new epoch) and the
        // restarted node opens the mixed segment again.
        var leader = await cluster.ShardLeaderAsync(streamId, 0);
        var formerEpoch = (await cluster.ShardStateAsync(streamId, 0)).LeaderEpoch;
        await cluster.RestartNodeAsync(cluster.Nodes.ToList().IndexOf(leader));
        await Wait.UntilAsync(async () => (await cluster.ShardStateAsync(streamId, 0)).LeaderEpoch > formerEpoch, Bound,
            () => $"a new leader epoch of shard 0 of stream {streamId} after {leader.Name} restarted");

        List<string>? afterRestart = null;
        await Wait.UntilAsync(async () =>
        {
            try
            {
                afterRestart = await ReadAllKinesisAsync(kinesis, stream);
                return afterRestart.Count == expected.Count;
            }
            catch (InvalidOperationException)
            {
                return false; // the shard is between leaders
            }
        }, Bound, () => $"every record readable after the restart; read {afterRestart?.Count ?? 0} of {expected.Count}");
        Assert.Equal(expected, afterRestart);
        Assert.Equal(expected, await ReadAllRestAsync(http, stream));

        // Encryption started again: the same data key (made once) seals the new records, all still read in order.
        await kinesis.CallAsync("StartStreamEncryption", new { StreamName = stream, EncryptionType = "KMS", KeyId = "alias/aws/kinesis" });
        await Wait.UntilAsync(async () =>
        {
            try
            {
                await PutKinesisAsync(kinesis, stream, Values("AGAIN", marker, 0, 5), expected);
                return true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }, Bound, () => "a put after the restart");
        Assert.Equal(expected, await ReadAllKinesisAsync(kinesis, stream));
        await WaitForReplicasInStepAsync(streamId, replicas);
        foreach (var node in replicas)
        {
            Assert.False(Contains(SegmentBytes(cluster.ReplicaDirectory(node, streamId, 0)), $"AGAIN|{marker}"));
        }
    }

    [Fact]
    public async Task Encryption_switches_validate_their_input_on_every_face_and_describe_reports_the_state()
    {
        var tenant = await cluster.CreateTenantAsync("encv");
        var key = await cluster.CreateAccessKeyAsync(tenant);
        using var kinesis = new SignedKinesisClient(cluster.HttpEndpoint, key.AccessKeyId, key.SecretAccessKey);
        using var http = cluster.CreateHttpClient(tenant.Token);
        using var grpc = cluster.CreateClient(tenant);
        var stream = $"encv-{Guid.NewGuid():N}";
        await grpc.CreateStreamAsync(stream, 1);

        // Kinesis
        var (status, body) = await kinesis.SendAsync("StartStreamEncryption", new { StreamName = stream, EncryptionType = "NONE", KeyId = "k" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("InvalidArgumentException", (string)body!["__type"]!);
        (status, body) = await kinesis.SendAsync("StartStreamEncryption", new { StreamName = stream, EncryptionType = "KMS" });
        Assert.Equal("ValidationException", (string)body!["__type"]!);
        (status, body) = await kinesis.SendAsync("StartStreamEncryption", new { StreamName = "missing-" + stream, EncryptionType = "KMS", KeyId = "k" });
        Assert.Equal("ResourceNotFoundException", (string)body!["__type"]!);
        await kinesis.CallAsync("StartStreamEncryption", new { StreamName = stream, EncryptionType = "KMS", KeyId = "arn:aws:kms:us-east-1:123456789012:key/abc" });
        (status, body) = await kinesis.SendAsync("StopStreamEncryption", new { StreamName = stream, EncryptionType = "KMS", KeyId = "another" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("InvalidArgumentException", (string)body!["__type"]!);
        var described = (await kinesis.CallAsync("DescribeStream", new { StreamName = stream }))["StreamDescription"]!;
        Assert.Equal("KMS", (string)described["EncryptionType"]!);
        Assert.Equal("arn:aws:kms:us-east-1:123456789012:key/abc", (string)described["KeyId"]!);

        // gRPC and the SDK see the same state, and switch it
        var description = await grpc.DescribeStreamAsync(stream);
        Assert.Equal("KMS", description.Encryption);
        Assert.Equal("arn:aws:kms:us-east-1:123456789012:key/abc", description.EncryptionKeyId);
        description = await grpc.SetStreamEncryptionAsync(stream, enabled: false);
        Assert.Equal("NONE", description.Encryption);
        Assert.Equal("", description.EncryptionKeyId);
        var refused = await Assert.ThrowsAsync<RpcException>(() => grpc.SetStreamEncryptionAsync(stream, enabled: false, keyId: "k"));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        description = await grpc.SetStreamEncryptionAsync(stream, enabled: true);
        Assert.Equal("KMS", description.Encryption);
        Assert.Equal("alias/aws/kinesis", description.EncryptionKeyId);
        var missing = await Assert.ThrowsAsync<RpcException>(() => grpc.SetStreamEncryptionAsync("missing-" + stream, enabled: true));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        // REST
        await Problem.AssertAsync(await http.PutAsJsonAsync($"/v1/streams/{stream}/encryption", new { keyId = "k" }), HttpStatusCode.BadRequest, "enabled");
        await Problem.AssertAsync(await http.PutAsJsonAsync($"/v1/streams/{stream}/encryption", new { enabled = false, keyId = "k" }), HttpStatusCode.BadRequest, "keyId");
        await Problem.AssertAsync(await http.PutAsJsonAsync($"/v1/streams/{stream}/encryption", new { enabled = true, keyId = new string('k', 2049) }), HttpStatusCode.BadRequest, "key id");
        await Problem.AssertAsync(await http.PutAsJsonAsync($"/v1/streams/missing-{stream}/encryption", new { enabled = true }), HttpStatusCode.NotFound);
        var off = await http.DeleteAsync($"/v1/streams/{stream}/encryption");
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        var offBody = await off.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("NONE", offBody.GetProperty("encryption").GetString());
        Assert.False(offBody.TryGetProperty("encryptionKeyId", out _));
        var on = await http.PutAsJsonAsync($"/v1/streams/{stream}/encryption", new { enabled = true, keyId = "my-key" });
        Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        var onBody = await on.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("KMS", onBody.GetProperty("encryption").GetString());
        Assert.Equal("my-key", onBody.GetProperty("encryptionKeyId").GetString());
        Assert.Equal("KMS", (string)(await kinesis.CallAsync("DescribeStreamSummary", new { StreamName = stream }))["StreamDescriptionSummary"]!["EncryptionType"]!);

        // Another tenant's stream answers like a missing one.
        var other = await cluster.CreateTenantAsync("encx");
        using var otherHttp = cluster.CreateHttpClient(other.Token);
        await Problem.AssertAsync(await otherHttp.PutAsJsonAsync($"/v1/streams/{stream}/encryption", new { enabled = false }), HttpStatusCode.NotFound);
    }

    private static IEnumerable<(string Key, string Value)> Values(string label, string marker, int from, int count) =>
        Enumerable.Range(from, count).Select(i => ($"{marker}|{label}|{i}", $"{label}|{marker}|{i}"));

    private static async Task PutKinesisAsync(SignedKinesisClient kinesis, string stream, IEnumerable<(string Key, string Value)> records, List<string> expected)
    {
        var list = records.ToList();
        var (status, body) = await kinesis.SendAsync("PutRecords", new
        {
            StreamName = stream,
            Records = list.Select(r => new { PartitionKey = r.Key, Data = Convert.ToBase64String(Encoding.UTF8.GetBytes(r.Value)) }).ToArray(),
        });
        if (status != HttpStatusCode.OK || (int)body!["FailedRecordCount"]! != 0)
        {
            throw new InvalidOperationException($"PutRecords failed: {(int)status} {body?.ToJsonString()}");
        }

        expected.AddRange(list.Select(r => r.Value));
    }

    private static async Task PutRestAsync(HttpClient http, string stream, IEnumerable<(string Key, string Value)> records, List<string> expected)
    {
        var list = records.ToList();
        var response = await http.PostAsJsonAsync($"/v1/streams/{stream}/records", new
        {
            records = list.Select(r => new { partitionKey = r.Key, data = Convert.ToBase64String(Encoding.UTF8.GetBytes(r.Value)) }).ToArray(),
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("failedRecordCount").GetInt32());
        expected.AddRange(list.Select(r => r.Value));
    }

    private static async Task<List<string>> ReadAllKinesisAsync(SignedKinesisClient kinesis, string stream)
    {
        var (status, body) = await kinesis.SendAsync("GetShardIterator", new { StreamName = stream, ShardId = "shardId-000000000000", ShardIteratorType = "TRIM_HORIZON" });
        var iterator = status == HttpStatusCode.OK ? (string?)body!["ShardIterator"] : throw new InvalidOperationException($"GetShardIterator: {(int)status} {body?.ToJsonString()}");
        var values = new List<string>();
        while (iterator is not null)
        {
            (status, body) = await kinesis.SendAsync("GetRecords", new { ShardIterator = iterator, Limit = 1000 });
            if (status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GetRecords: {(int)status} {body?.ToJsonString()}");
            }

            var records = body!["Records"]!.AsArray();
            values.AddRange(records.Select(r => Encoding.UTF8.GetString(Convert.FromBase64String((string)r!["Data"]!))));
            if (records.Count == 0 && (long)body["MillisBehindLatest"]! == 0)
            {
                break;
            }

            iterator = (string?)body["NextShardIterator"];
        }

        return values;
    }

    private static async Task<List<string>> ReadAllRestAsync(HttpClient http, string stream)
    {
        var values = new List<string>();
        var query = "from=oldest";
        while (true)
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/v1/streams/{stream}/shards/shardId-000000000000/records?{query}&limit=1000");
            var records = page.GetProperty("records");
            if (records.GetArrayLength() == 0)
            {
                return values;
            }

            values.AddRange(records.EnumerateArray().Select(r => Encoding.UTF8.GetString(r.GetProperty("data").GetBytesFromBase64())));
            query = $"from=at&sequenceNumber={page.GetProperty("nextSequenceNumber").GetString()}";
        }
    }

    /// <summary>Waits until the shard's segment files are the same size on every replica: the followers have caught up.</summary>
    private async Task WaitForReplicasInStepAsync(long streamId, IReadOnlyList<string> replicas)
    {
        long[] sizes = [];
        await Wait.UntilAsync(() =>
        {
            sizes = [.. replicas.Select(n => (long)SegmentBytes(cluster.ReplicaDirectory(n, streamId, 0)).Length)];
            return Task.FromResult(sizes.Distinct().Count() == 1 && sizes[0] > 0);
        }, Bound, () => $"the replicas of stream {streamId} to hold the same bytes; sizes {string.Join(", ", sizes)}");
    }

    private static byte[] SegmentBytes(string directory)
    {
        using var all = new MemoryStream();
        foreach (var path in Directory.GetFiles(directory, "*.log").Order(StringComparer.Ordinal))
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            file.CopyTo(all);
        }

        return all.ToArray();
    }

    private static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;
}
