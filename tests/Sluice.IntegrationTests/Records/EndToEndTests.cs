using System.Security.Cryptography;
using Google.Protobuf;
using Sluice.Core;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.V1;

namespace Sluice.IntegrationTests.Records;

[Collection(ClusterCollection.Name)]
public sealed class EndToEndTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Ten_thousand_records_across_sixteen_shards_read_back_in_per_shard_order_with_identical_bytes()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        var stream = $"e2e-{Guid.NewGuid():N}";
        var description = await client.CreateStreamAsync(stream, 16);
        Assert.Equal(16, description.Shards.Count);
        Assert.Equal(3, description.Shards.Select(s => s.LeaderNode).Distinct().Count());

        const int total = 10_000;
        var written = new Dictionary<string, List<(string Sequence, string Key, byte[] Data)>>();
        var random = new Random(42);
        for (var batchStart = 0; batchStart < total; batchStart += 500)
        {
            var entries = new List<PutRecordsEntry>();
            var payloads = new List<(string Key, byte[] Data)>();
            for (var i = batchStart; i < batchStart + 500; i++)
            {
                var data = new byte[random.Next(1, 300)];
                random.NextBytes(data);
                var key = $"key-{i}";
                payloads.Add((key, data));
                entries.Add(new PutRecordsEntry { PartitionKey = key, Data = ByteString.CopyFrom(data) });
            }

            var response = await client.PutRecordsAsync(stream, entries);
            Assert.Equal(0, response.FailedRecordCount);
            for (var i = 0; i < entries.Count; i++)
            {
                var result = response.Results[i];
                Assert.True(SequenceNumber.TryDecode(result.SequenceNumber, out var shardIndex, out _));
                Assert.Equal(ShardId.Format(shardIndex), result.ShardId);
                var expectedShard = ExpectedShard(description, payloads[i].Key);
                Assert.Equal(expectedShard, result.ShardId);
                if (!written.TryGetValue(result.ShardId, out var list))
                {
                    written[result.ShardId] = list = [];
                }

                list.Add((result.SequenceNumber, payloads[i].Key, payloads[i].Data));
            }
        }

        Assert.Equal(16, written.Count);
        var readTotal = 0;
        foreach (var shard in description.Shards)
        {
            var expected = written[shard.ShardId];
            var read = new List<Sluice.V1.Record>();
            await foreach (var record in client.ReadShardAsync(stream, shard.ShardId, StartPosition.TrimHorizon, follow: false))
            {
                read.Add(record);
            }

            Assert.Equal(expected.Count, read.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Sequence, read[i].SequenceNumber);
                Assert.Equal(expected[i].Key, read[i].PartitionKey);
                Assert.True(expected[i].Data.AsSpan().SequenceEqual(read[i].Data.Span), $"bytes differ at {shard.ShardId}[{i}]");
            }

            readTotal += read.Count;
        }

        Assert.Equal(total, readTotal);
    }

    [Fact]
    public async Task Reads_start_at_latest_after_a_sequence_number_and_at_a_timestamp()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        var stream = $"pos-{Guid.NewGuid():N}";
        await client.CreateStreamAsync(stream, 1);
        const string shard = "shardId-000000000000";

        var first = await client.PutRecordsAsync(stream, [Entry("a", "one"), Entry("a", "two")]);
        var latest = await client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = shard, Position = StartPosition.Latest });
        Assert.Empty(latest.Records);

        var afterFirstWrite = DateTimeOffset.UtcNow;
        await WaitForClockTickAsync(afterFirstWrite);
        await client.PutRecordsAsync(stream, [Entry("a", "three")]);

        var fromLatest = await client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = shard, Position = StartPosition.AtSequenceNumber, SequenceNumber = latest.NextSequenceNumber });
        Assert.Equal(["three"], fromLatest.Records.Select(r => r.Data.ToStringUtf8()));

        var after = await client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = shard, Position = StartPosition.AfterSequenceNumber, SequenceNumber = first.Results[0].SequenceNumber });
        Assert.Equal(["two", "three"], after.Records.Select(r => r.Data.ToStringUtf8()));

        var at = await client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = shard, Position = StartPosition.AtSequenceNumber, SequenceNumber = first.Results[1].SequenceNumber });
        Assert.Equal(["two", "three"], at.Records.Select(r => r.Data.ToStringUtf8()));

        var byTime = await client.GetRecordsAsync(new GetRecordsRequest
        {
            Stream = stream,
            ShardId = shard,
            Position = StartPosition.AtTimestamp,
            Timestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(afterFirstWrite.AddMilliseconds(1)),
        });
        Assert.Equal(["three"], byTime.Records.Select(r => r.Data.ToStringUtf8()));

        var limited = await client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = shard, Position = StartPosition.TrimHorizon, Limit = 2 });
        Assert.Equal(["one", "two"], limited.Records.Select(r => r.Data.ToStringUtf8()));
        Assert.True(limited.MillisBehindLatest >= 0);
        var rest = await client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = shard, Position = StartPosition.AtSequenceNumber, SequenceNumber = limited.NextSequenceNumber });
        Assert.Equal(["three"], rest.Records.Select(r => r.Data.ToStringUtf8()));
        Assert.Equal(0, rest.MillisBehindLatest);
    }

    [Fact]
    public async Task A_long_poll_read_wakes_when_a_record_arrives()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        var stream = $"poll-{Guid.NewGuid():N}";
        await client.CreateStreamAsync(stream, 1);

        var read = client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = "shardId-000000000000", Position = StartPosition.Latest, MaxWaitMs = 10_000 });
        await Task.Yield();
        await Wait.UntilAsync(async () =>
        {
            await client.PutRecordsAsync(stream, [Entry("k", "wake")]);
            return await Task.WhenAny(read, Task.Delay(200)) == read;
        }, TimeSpan.FromSeconds(9), () => "the long poll to return");
        var response = await read;
        Assert.Contains("wake", response.Records.Select(r => r.Data.ToStringUtf8()));
    }

    [Fact]
    public async Task An_explicit_hash_key_picks_the_shard_that_covers_it()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        var stream = $"ehk-{Guid.NewGuid():N}";
        var description = await client.CreateStreamAsync(stream, 4);
        var lastShard = description.Shards[3];

        var response = await client.PutRecordsAsync(stream, [new PutRecordsEntry { PartitionKey = "any", Data = ByteString.CopyFromUtf8("x"), ExplicitHashKey = lastShard.StartingHashKey }]);
        Assert.Equal(lastShard.ShardId, response.Results[0].ShardId);
    }

    [Fact]
    public async Task Concurrent_puts_to_one_shard_are_merged_yet_each_keeps_its_records_together_and_in_order()
    {
        var tenant = await cluster.CreateTenantAsync();
        using var client = cluster.CreateClient(tenant);
        var stream = $"merge-{Guid.NewGuid():N}";
        await client.CreateStreamAsync(stream, 1);

        const int producers = 16, perPut = 25;
        var puts = Enumerable.Range(0, producers).Select(p => client.PutRecordsAsync(stream,
            [.. Enumerable.Range(0, perPut).Select(i => Entry($"p{p}", $"{p}:{i}"))])).ToArray();
        var responses = await Task.WhenAll(puts);

        var offsets = new List<long>();
        for (var p = 0; p < producers; p++)
        {
            Assert.Equal(0, responses[p].FailedRecordCount);
            var own = responses[p].Results.Select(r => SequenceNumber.TryDecode(r.SequenceNumber, out _, out var offset) ? offset : -1).ToList();
            // One request's records for a shard are contiguous and in request order.
            Assert.Equal(Enumerable.Range(0, perPut).Select(i => own[0] + i), own);
            offsets.AddRange(own);
        }

        Assert.Equal(Enumerable.Range(0, producers * perPut).Select(i => (long)i), offsets.Order());

        var read = await client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = "shardId-000000000000", Position = StartPosition.TrimHorizon, Limit = 1000 });
        Assert.Equal(producers * perPut, read.Records.Count);
        for (var p = 0; p < producers; p++)
        {
            var first = responses[p].Results[0].SequenceNumber;
            var start = read.Records.ToList().FindIndex(r => r.SequenceNumber == first);
            Assert.Equal(Enumerable.Range(0, perPut).Select(i => $"{p}:{i}"), read.Records.Skip(start).Take(perPut).Select(r => r.Data.ToStringUtf8()));
        }
    }

    internal static PutRecordsEntry Entry(string key, string data) => new() { PartitionKey = key, Data = ByteString.CopyFromUtf8(data) };

    private static string ExpectedShard(StreamDescription description, string partitionKey)
    {
        var hash = HashKey.FromPartitionKey(partitionKey);
        return description.Shards.Single(s => hash >= UInt128.Parse(s.StartingHashKey) && hash <= UInt128.Parse(s.EndingHashKey)).ShardId;
    }

    private static Task WaitForClockTickAsync(DateTimeOffset since) =>
        Wait.UntilAsync(() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() > since.ToUnixTimeMilliseconds() + 2, TimeSpan.FromSeconds(1), "the clock to move");
}
