using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Sluice.Client;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.V1;

namespace Sluice.IntegrationTests.Replication;

/// <summary>
/// The idempotent producer (issue 4) on a replicated cluster with fast failover: a call sent again with the same
/// producer id and sequence is answered with the original sequence numbers and writes nothing, on REST and gRPC; a
/// sequence older than the last five a shard keeps is refused; the state survives a kill -9 of the leader.
/// </summary>
[Collection(ReplicationFaultCollection.Name)]
public sealed class IdempotentProducerTests(ReplicationFaultFixture cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_grpc_retry_with_the_same_sequence_returns_the_same_sequence_numbers_and_writes_nothing_twice()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        var stream = $"idem-grpc-{Guid.NewGuid():N}";
        var description = await client.CreateStreamAsync(stream, 2);
        var producer = await client.Records.InitProducerAsync(new InitProducerRequest());
        Assert.True(producer.ProducerId > 0);
        Assert.Equal(0, producer.ProducerEpoch);

        var first = await client.Records.PutRecordsAsync(Request(stream, producer.ProducerId, 0, Records("a", 20)));
        var retry = await client.Records.PutRecordsAsync(Request(stream, producer.ProducerId, 0, Records("a", 20)));
        var next = await client.Records.PutRecordsAsync(Request(stream, producer.ProducerId, 1, Records("b", 5)));

        Assert.Equal(0, first.FailedRecordCount);
        Assert.Equal(first.Results.Select(r => (r.ShardId, r.SequenceNumber)), retry.Results.Select(r => (r.ShardId, r.SequenceNumber)));
        Assert.Equal(2, first.Results.Select(r => r.ShardId).Distinct().Count());
        Assert.Equal(0, next.FailedRecordCount);
        var values = await ReadAllAsync(client, stream, description);
        Assert.Equal(25, values.Count);
        Assert.Equal(25, values.Distinct().Count());
    }

    [Fact]
    public async Task A_rest_retry_with_the_same_sequence_returns_the_same_sequence_numbers_and_writes_nothing_twice()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        using var http = cluster.CreateHttpClient(tenant.Token);
        var stream = $"idem-rest-{Guid.NewGuid():N}";
        var description = await client.CreateStreamAsync(stream, 2);

        using var created = await http.PostAsync("/v1/producers", content: null);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var producer = await created.Content.ReadFromJsonAsync<JsonElement>();
        var producerId = producer.GetProperty("producerId").GetInt64();
        Assert.True(producerId > 0);
        Assert.Equal(0, producer.GetProperty("producerEpoch").GetInt32());

        var body = new
        {
            producerId,
            producerSequence = 0,
            records = Enumerable.Range(0, 12).Select(i => new { partitionKey = $"k{i}", data = Convert.ToBase64String(BitConverter.GetBytes(i)) }).ToArray(),
        };
        var first = await PutAsync(http, stream, body);
        var retry = await PutAsync(http, stream, body);

        Assert.Equal(0, first.GetProperty("failedRecordCount").GetInt32());
        Assert.Equal(SequenceNumbers(first), SequenceNumbers(retry));
        Assert.Equal(12, (await ReadAllAsync(client, stream, description)).Count);
    }

    [Fact]
    public async Task A_sequence_older_than_the_last_five_is_refused_and_not_written()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        var stream = $"idem-old-{Guid.NewGuid():N}";
        var description = await client.CreateStreamAsync(stream, 1);
        var producer = await client.Records.InitProducerAsync(new InitProducerRequest());
        for (var sequence = 0; sequence < 7; sequence++)
        {
            // A retriable failure (a leader change on a loaded box) is retried with the same sequence: that is what the
            // idempotent producer is for, and the count below still proves nothing was written twice.
            var put = await RetryUntilAnsweredAsync(client, Request(stream, producer.ProducerId, sequence, Records($"s{sequence}", 2)));
            Assert.Equal(0, put.FailedRecordCount);
        }

        var stale = await client.Records.PutRecordsAsync(Request(stream, producer.ProducerId, 1, Records("s1", 2)));
        var kept = await client.Records.PutRecordsAsync(Request(stream, producer.ProducerId, 2, Records("s2", 2)));

        Assert.Equal(2, stale.FailedRecordCount);
        Assert.All(stale.Results, r => Assert.Equal("DuplicateSequence", r.ErrorCode));
        Assert.All(stale.Results, r => Assert.False(SluiceClient.IsRetriable(r)));
        Assert.Equal(0, kept.FailedRecordCount);
        Assert.Equal(14, (await ReadAllAsync(client, stream, description)).Count);
    }

    [Fact]
    public async Task Producer_fields_that_do_not_go_together_are_refused_on_rest_and_grpc()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        using var http = cluster.CreateHttpClient(tenant.Token);
        var stream = $"idem-bad-{Guid.NewGuid():N}";
        await client.CreateStreamAsync(stream, 1);

        var onlyId = new PutRecordsRequest { Stream = stream, ProducerId = 5, Records = { Records("x", 1) } };
        var grpcError = await Assert.ThrowsAsync<RpcException>(() => client.Records.PutRecordsAsync(onlyId).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, grpcError.StatusCode);
        Assert.Contains("both", grpcError.Status.Detail, StringComparison.Ordinal);
        var negative = Request(stream, 5, -1, Records("x", 1));
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => client.Records.PutRecordsAsync(negative).ResponseAsync)).StatusCode);

        var record = new[] { new { partitionKey = "k", data = "eA==" } };
        using var zeroId = await http.PostAsJsonAsync($"/v1/streams/{stream}/records", new { producerId = 0, producerSequence = 0, records = record });
        await Problem.AssertAsync(zeroId, HttpStatusCode.BadRequest, "was not allocated");
        using var onlySequence = await http.PostAsJsonAsync($"/v1/streams/{stream}/records", new { producerSequence = 3, records = record });
        await Problem.AssertAsync(onlySequence, HttpStatusCode.BadRequest, "both");
    }

    [Fact]
    public async Task The_producer_state_survives_a_kill_of_the_leader_and_the_retry_writes_no_duplicate()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        var stream = $"idem-failover-{Guid.NewGuid():N}";
        var description = await client.CreateStreamAsync(stream, 1);
        var streamId = await cluster.StreamIdAsync(tenant.Id, stream);
        var producer = await client.Records.InitProducerAsync(new InitProducerRequest());
        PutRecordsResponse last = null!;
        for (var sequence = 0; sequence < 3; sequence++)
        {
            last = await client.Records.PutRecordsAsync(Request(stream, producer.ProducerId, sequence, Records($"f{sequence}", 4), Acks.All));
            Assert.Equal(0, last.FailedRecordCount);
        }

        var before = await cluster.ShardStateAsync(streamId, 0);
        var leader = cluster.Node(before.LeaderNodeId!);
        await leader.KillAsync();
        try
        {
            await cluster.WaitForNewLeaderAsync(streamId, 0, leader.Name, before.LeaderEpoch, Timeout);

            // The retry of the last call, and one of an earlier call, at the new leader.
            var retry = await RetryUntilAnsweredAsync(client, Request(stream, producer.ProducerId, 2, Records("f2", 4), Acks.All));
            var earlier = await RetryUntilAnsweredAsync(client, Request(stream, producer.ProducerId, 0, Records("f0", 4), Acks.All));

            Assert.Equal(last.Results.Select(r => r.SequenceNumber), retry.Results.Select(r => r.SequenceNumber));
            Assert.Equal(0, earlier.FailedRecordCount);
            var values = await ReadAllAsync(client, stream, description);
            Assert.Equal(12, values.Count);
            Assert.Equal(12, values.Distinct().Count());
        }
        finally
        {
            await SluiceCluster.StartAgainAsync(leader);
        }

        await cluster.WaitForFullIsrAsync(streamId, Timeout);
    }

    [Fact]
    public async Task The_sdk_producer_writes_each_call_once_and_numbers_its_calls()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        var stream = $"idem-sdk-{Guid.NewGuid():N}";
        var description = await client.CreateStreamAsync(stream, 2);
        using var producer = client.CreateProducer(stream);

        var first = producer.Prepare(Records("p", 10));
        var written = await producer.SendAsync(first);
        var again = await producer.SendAsync(first);
        var second = await producer.SendAsync(Records("q", 3));

        Assert.NotNull(producer.ProducerId);
        Assert.Equal((0, 0), (first.Sequence, written.FailedRecordCount));
        Assert.True(first.IsComplete);
        Assert.Equal(written.Results.Select(r => r.SequenceNumber), again.Results.Select(r => r.SequenceNumber));
        Assert.Equal(0, second.FailedRecordCount);
        Assert.Equal(13, (await ReadAllAsync(client, stream, description)).Count);
    }

    private static async Task<PutRecordsResponse> RetryUntilAnsweredAsync(SluiceClient client, PutRecordsRequest request)
    {
        PutRecordsResponse? response = null;
        await Wait.UntilAsync(async () =>
        {
            try
            {
                response = await client.Records.PutRecordsAsync(request);
                return !response.Results.Any(SluiceClient.IsRetriable);
            }
            catch (RpcException ex) when (SluiceClient.IsRetriable(ex))
            {
                return false;
            }
        }, Timeout, () => $"the retry to be answered; last: {response}");
        return response!;
    }

    private static PutRecordsRequest Request(string stream, long producerId, int sequence, IEnumerable<PutRecordsEntry> records, Acks acks = Acks.Unspecified) =>
        new() { Stream = stream, ProducerId = producerId, ProducerSequence = sequence, Acks = acks, Records = { records } };

    private static List<PutRecordsEntry> Records(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new PutRecordsEntry { PartitionKey = $"{prefix}-{i}", Data = ByteString.CopyFromUtf8($"{prefix}-{i}") })];

    private static async Task<JsonElement> PutAsync(HttpClient http, string stream, object body)
    {
        using var response = await http.PostAsJsonAsync($"/v1/streams/{stream}/records", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<string> SequenceNumbers(JsonElement result) =>
        [.. result.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("sequenceNumber").GetString()!)];

    private static async Task<List<string>> ReadAllAsync(SluiceClient client, string stream, StreamDescription description)
    {
        var values = new List<string>();
        foreach (var shard in description.Shards)
        {
            await foreach (var record in client.ReadShardAsync(stream, shard.ShardId, StartPosition.TrimHorizon, follow: false))
            {
                values.Add(record.Data.ToStringUtf8());
            }
        }

        return values;
    }
}
