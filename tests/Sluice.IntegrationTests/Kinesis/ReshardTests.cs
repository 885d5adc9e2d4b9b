using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Kinesis;

/// <summary>
/// SplitShard, MergeShards and UpdateShardCount over the Kinesis JSON API against a real cluster:
/// lineage and ending sequence numbers in DescribeStream and ListShards, records written before a
/// reshard readable in the parents, readers at a parent's end handed its ChildShards, writers
/// running through a reshard losing nothing, and Kinesis' own errors.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ReshardTests(ClusterFixture cluster)
{
    private static readonly BigInteger Space = BigInteger.One << 128;
    private static readonly string Half = (Space / 2).ToString(CultureInfo.InvariantCulture);
    private static readonly string MaxHashKey = (Space - 1).ToString(CultureInfo.InvariantCulture);
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Split_closes_the_parent_and_a_reader_at_its_end_is_handed_both_children()
    {
        using var client = await NewClientAsync();
        var stream = Name("split");
        await client.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 1 });
        var before = await PutAsync(client, stream, "before", 40);
        Assert.All(before, r => Assert.Equal(Shard(0), r.ShardId));

        var arn = (string)(await client.CallAsync("DescribeStreamSummary", new { StreamName = stream }))["StreamDescriptionSummary"]!["StreamARN"]!;
        await client.CallAsync("SplitShard", new { StreamARN = arn, ShardToSplit = Shard(0), NewStartingHashKey = Half });

        var summary = (await client.CallAsync("DescribeStreamSummary", new { StreamName = stream }))["StreamDescriptionSummary"]!;
        Assert.Equal("ACTIVE", (string)summary["StreamStatus"]!);
        Assert.Equal(2, (int)summary["OpenShardCount"]!);
        var shards = (await client.CallAsync("DescribeStream", new { StreamName = stream }))["StreamDescription"]!["Shards"]!.AsArray();
        Assert.Equal([Shard(0), Shard(1), Shard(2)], shards.Select(s => (string)s!["ShardId"]!));
        var parent = shards[0]!;
        Assert.NotNull((string?)parent["SequenceNumberRange"]!["EndingSequenceNumber"]);
        Assert.True(string.CompareOrdinal((string)parent["SequenceNumberRange"]!["EndingSequenceNumber"]!, before[^1].SequenceNumber) > 0);
        AssertShard(shards[1]!, Shard(0), null, "0", (Space / 2 - 1).ToString(CultureInfo.InvariantCulture));
        AssertShard(shards[2]!, Shard(0), null, Half, MaxHashKey);

        // Puts go to the children now, each by its hash key.
        var low = await PutAsync(client, stream, "low", 5, explicitHashKey: "7");
        var high = await PutAsync(client, stream, "high", 5, explicitHashKey: Half);
        Assert.All(low, r => Assert.Equal(Shard(1), r.ShardId));
        Assert.All(high, r => Assert.Equal(Shard(2), r.ShardId));

        // The parent still reads back whole; its last page ends it with both children.
        var (records, end) = await ReadShardAsync(client, stream, Shard(0));
        Assert.Equal(before.Select(r => r.SequenceNumber), records.Select(r => r.SequenceNumber));
        Assert.Equal(before.Select(r => r.Data), records.Select(r => r.Data));
        Assert.NotNull(end);
        Assert.Null(end!["NextShardIterator"]);
        Assert.Equal(0, (long)end["MillisBehindLatest"]!);
        var children = end["ChildShards"]!.AsArray();
        Assert.Equal([Shard(1), Shard(2)], children.Select(c => (string)c!["ShardId"]!));
        Assert.All(children, c => Assert.Equal([Shard(0)], c!["ParentShards"]!.AsArray().Select(p => (string)p!)));
        Assert.Equal(Half, (string)children[1]!["HashKeyRange"]!["StartingHashKey"]!);

        // LATEST and the ending sequence number of a closed shard are its end at once.
        foreach (var (type, sequence) in new[] { ("LATEST", (string?)null), ("AT_SEQUENCE_NUMBER", (string?)parent["SequenceNumberRange"]!["EndingSequenceNumber"]), ("AFTER_SEQUENCE_NUMBER", before[^1].SequenceNumber) })
        {
            var iterator = await IteratorAsync(client, stream, Shard(0), type, sequence);
            var page = await client.CallAsync("GetRecords", new { ShardIterator = iterator });
            Assert.Empty(page["Records"]!.AsArray());
            Assert.Equal(2, page["ChildShards"]!.AsArray().Count);
            Assert.Null(page["NextShardIterator"]);
        }

        var lineage = await ReadLineageAsync(client, stream);
        Assert.Equal(before.Concat(low).Concat(high).Select(r => r.Data).Order(), lineage.Select(r => r.Data).Order());
    }

    [Fact]
    public async Task Merge_makes_one_child_of_both_parents_and_an_empty_parent_ends_at_once()
    {
        using var client = await NewClientAsync();
        var stream = Name("merge");
        await client.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 3 });
        var ranges = (await client.CallAsync("ListShards", new { StreamName = stream }))["Shards"]!.AsArray();
        var startOf1 = (string)ranges[1]!["HashKeyRange"]!["StartingHashKey"]!;
        var written = await PutAsync(client, stream, "m", 10, explicitHashKey: startOf1);

        // Shard 0 never got a record; it merges with shard 1, given in the upper-first order.
        await client.CallAsync("MergeShards", new { StreamName = stream, ShardToMerge = Shard(1), AdjacentShardToMerge = Shard(0) });

        var shards = (await client.CallAsync("ListShards", new { StreamName = stream }))["Shards"]!.AsArray();
        Assert.Equal(4, shards.Count);
        AssertShard(shards[3]!, Shard(1), Shard(0), "0", (string)ranges[1]!["HashKeyRange"]!["EndingHashKey"]!);
        Assert.NotNull((string?)shards[0]!["SequenceNumberRange"]!["EndingSequenceNumber"]);
        Assert.NotNull((string?)shards[1]!["SequenceNumberRange"]!["EndingSequenceNumber"]);
        Assert.Null((string?)shards[2]!["SequenceNumberRange"]!["EndingSequenceNumber"]);

        var emptyPage = await client.CallAsync("GetRecords", new { ShardIterator = await IteratorAsync(client, stream, Shard(0), "TRIM_HORIZON") });
        Assert.Empty(emptyPage["Records"]!.AsArray());
        var child = Assert.Single(emptyPage["ChildShards"]!.AsArray())!;
        Assert.Equal(Shard(3), (string)child["ShardId"]!);
        Assert.Equal([Shard(1), Shard(0)], child["ParentShards"]!.AsArray().Select(p => (string)p!));

        var (records, end) = await ReadShardAsync(client, stream, Shard(1));
        Assert.Equal(written.Select(r => r.SequenceNumber), records.Select(r => r.SequenceNumber));
        Assert.Equal(Shard(3), (string)Assert.Single(end!["ChildShards"]!.AsArray())!["ShardId"]!);

        var after = await PutAsync(client, stream, "after", 3, explicitHashKey: "0");
        Assert.All(after, r => Assert.Equal(Shard(3), r.ShardId));
        Assert.Equal(written.Concat(after).Select(r => r.Data).Order(), (await ReadLineageAsync(client, stream)).Select(r => r.Data).Order());
    }

    [Fact]
    public async Task UpdateShardCount_scales_up_and_down_to_uniform_ranges_keeping_every_record()
    {
        using var client = await NewClientAsync();
        var stream = Name("scale");
        await client.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 2 });
        var written = await PutAsync(client, stream, "a", 60);

        var up = await client.CallAsync("UpdateShardCount", new { StreamName = stream, TargetShardCount = 3, ScalingType = "UNIFORM_SCALING" });
        Assert.Equal(2, (int)up["CurrentShardCount"]!);
        Assert.Equal(3, (int)up["TargetShardCount"]!);
        Assert.Equal(stream, (string)up["StreamName"]!);
        Assert.EndsWith($":stream/{stream}", (string)up["StreamARN"]!, StringComparison.Ordinal);
        await AssertUniformAsync(client, stream, 3);
        written.AddRange(await PutAsync(client, stream, "b", 60));

        var down = await client.CallAsync("UpdateShardCount", new { StreamName = stream, TargetShardCount = 2, ScalingType = "UNIFORM_SCALING" });
        Assert.Equal(3, (int)down["CurrentShardCount"]!);
        Assert.Equal(2, (int)down["TargetShardCount"]!);
        await AssertUniformAsync(client, stream, 2);
        written.AddRange(await PutAsync(client, stream, "c", 60));

        // Every shard made on the way has one parent, or a parent and an adjacent parent.
        var all = (await client.CallAsync("ListShards", new { StreamName = stream }))["Shards"]!.AsArray();
        var ids = all.Select(s => (string)s!["ShardId"]!).ToHashSet();
        foreach (var shard in all.Skip(2))
        {
            Assert.Contains((string)shard!["ParentShardId"]!, ids);
            if ((string?)shard["AdjacentParentShardId"] is { } adjacent)
            {
                Assert.Contains(adjacent, ids);
            }
        }

        var read = await ReadLineageAsync(client, stream);
        Assert.Equal(written.Select(r => r.Data).Order(), read.Select(r => r.Data).Order());
        Assert.Equal(2, (int)(await client.CallAsync("DescribeStreamSummary", new { StreamName = stream }))["StreamDescriptionSummary"]!["OpenShardCount"]!);
    }

    [Fact]
    public async Task Writers_running_through_a_split_and_a_merge_lose_no_acknowledged_record()
    {
        // The writers go through a second gateway, whose cached route still sends to the parents
        // for a while after each reshard: their puts are refused there and must be re-routed.
        var (other, otherEndpoint) = await cluster.StartExtraGatewayAsync();
        await using var stale = other;
        using var admin = await NewClientAsync();
        var stream = Name("race");
        await admin.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 2 });
        var acknowledged = new ConcurrentBag<Written>();
        using var stop = new CancellationTokenSource();
        var rounds = new int[4];
        var writers = Enumerable.Range(0, rounds.Length).Select(w => Task.Run(async () =>
        {
            using var client = admin.Clone(otherEndpoint);
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                foreach (var record in await PutAsync(client, stream, $"w{w}-r{round}", 25))
                {
                    acknowledged.Add(record);
                }

                Volatile.Write(ref rounds[w], round + 1);
            }
        })).ToArray();

        async Task AfterEveryWriterAsync(int moreRounds)
        {
            var target = rounds.Select((_, i) => Volatile.Read(ref rounds[i]) + moreRounds).ToArray();
            await Wait.UntilAsync(() => Task.FromResult(rounds.Select((_, i) => Volatile.Read(ref rounds[i]) >= target[i]).All(x => x) || writers.Any(t => t.IsFaulted)),
                ReadTimeout, () => "every writer to put more records");
        }

        await AfterEveryWriterAsync(3);
        await admin.CallAsync("SplitShard", new { StreamName = stream, ShardToSplit = Shard(0), NewStartingHashKey = (Space / 4).ToString(CultureInfo.InvariantCulture) });
        await AfterEveryWriterAsync(3);
        await admin.CallAsync("MergeShards", new { StreamName = stream, ShardToMerge = Shard(3), AdjacentShardToMerge = Shard(1) });
        await AfterEveryWriterAsync(3);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var shardsWritten = acknowledged.Select(r => r.ShardId).ToHashSet();
        Assert.Contains(Shard(0), shardsWritten);
        Assert.Contains(Shard(4), shardsWritten);
        var read = await ReadLineageAsync(admin, stream);
        Assert.Equal(read.Count, read.Select(r => r.SequenceNumber).Distinct().Count());
        Assert.Equal(acknowledged.Select(r => (r.SequenceNumber, r.Data)).Order(), read.Select(r => (r.SequenceNumber, r.Data)).Order());
    }

    [Fact]
    public async Task Reshard_errors_are_Kinesis_shaped()
    {
        using var client = await NewClientAsync();
        var account = client.AccountId;
        var stream = Name("err");
        await client.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 3 });
        var shards = (await client.CallAsync("ListShards", new { StreamName = stream }))["Shards"]!.AsArray();
        var start1 = (string)shards[1]!["HashKeyRange"]!["StartingHashKey"]!;
        var end1 = (string)shards[1]!["HashKeyRange"]!["EndingHashKey"]!;

        await ExpectAsync(client, "SplitShard", new { StreamName = stream, ShardToSplit = "shardId-000000000009", NewStartingHashKey = "5" },
            "ResourceNotFoundException", $"Could not find shard shardId-000000000009 in stream {stream} under account {account}.");
        await ExpectAsync(client, "SplitShard", new { StreamName = stream, ShardToSplit = Shard(1), NewStartingHashKey = start1 },
            "InvalidArgumentException",
            $"NewStartingHashKey {start1} used in SplitShard() on shard {Shard(1)} in stream {stream} under account {account} is not both greater than one plus the shard's StartingHashKey {start1} and less than the shard's EndingHashKey {end1}.");
        await ExpectAsync(client, "SplitShard", new { StreamName = stream, ShardToSplit = Shard(1), NewStartingHashKey = "1" }, "InvalidArgumentException", null);
        await ExpectAsync(client, "MergeShards", new { StreamName = stream, ShardToMerge = Shard(0), AdjacentShardToMerge = Shard(2) },
            "InvalidArgumentException", $"Shards {Shard(0)} and {Shard(2)} in stream {stream} under account {account} are not an adjacent pair of shards eligible for merging");
        await ExpectAsync(client, "UpdateShardCount", new { StreamName = stream, TargetShardCount = 7, ScalingType = "UNIFORM_SCALING" }, "InvalidArgumentException", null);
        await ExpectAsync(client, "UpdateShardCount", new { StreamName = stream, TargetShardCount = 1, ScalingType = "UNIFORM_SCALING" }, "InvalidArgumentException", null);
        var missing = Name("missing");
        await ExpectAsync(client, "MergeShards", new { StreamName = missing, ShardToMerge = Shard(0), AdjacentShardToMerge = Shard(1) },
            "ResourceNotFoundException", $"Stream {missing} under account {account} not found.");

        await client.CallAsync("MergeShards", new { StreamName = stream, ShardToMerge = Shard(0), AdjacentShardToMerge = Shard(1) });
        await ExpectAsync(client, "SplitShard", new { StreamName = stream, ShardToSplit = Shard(0), NewStartingHashKey = "5" },
            "InvalidArgumentException", $"Shard {Shard(0)} in stream {stream} under account {account} has already been merged or split, and thus is not eligible for merging or splitting.");

        // While another gateway reshards the stream (it holds the stream's reshard lock), the stream is in use.
        await using (await HoldReshardLockAsync(stream))
        {
            await ExpectAsync(client, "UpdateShardCount", new { StreamName = stream, TargetShardCount = 2, ScalingType = "UNIFORM_SCALING" },
                "ResourceInUseException", $"Stream {stream} under account {account} not ACTIVE, instead in state UPDATING");
        }

        // So is a stream in any other state than ACTIVE.
        await SetStatusAsync(stream, "Creating");
        await ExpectAsync(client, "MergeShards", new { StreamName = stream, ShardToMerge = Shard(2), AdjacentShardToMerge = Shard(3) },
            "ResourceInUseException", $"Stream {stream} under account {account} not ACTIVE, instead in state CREATING");
        await SetStatusAsync(stream, "Active");

        var onDemand = Name("od");
        await client.CreateStreamAndWaitAsync(onDemand, new { StreamName = onDemand, StreamModeDetails = new { StreamMode = "ON_DEMAND" } });
        await ExpectAsync(client, "SplitShard", new { StreamName = onDemand, ShardToSplit = Shard(0), NewStartingHashKey = "5" }, "ValidationException", null);

        // Past the gateway's 64 shards per stream.
        var big = Name("big");
        await client.CreateStreamAndWaitAsync(big, new { StreamName = big, ShardCount = 40 });
        await ExpectAsync(client, "UpdateShardCount", new { StreamName = big, TargetShardCount = 80, ScalingType = "UNIFORM_SCALING" }, "LimitExceededException", null);
        Assert.Equal(40, (int)(await client.CallAsync("DescribeStreamSummary", new { StreamName = big }))["StreamDescriptionSummary"]!["OpenShardCount"]!);
    }

    [Fact]
    public async Task A_stream_left_UPDATING_by_a_reshard_that_died_is_set_right_by_the_next_one()
    {
        using var client = await NewClientAsync();
        var stream = Name("orphan");
        await client.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 2 });
        // What a gateway that died between the reshard's transaction and its end leaves: UPDATING, and no lock held.
        await SetStatusAsync(stream, "Updating");
        Assert.Equal("UPDATING", (string)(await client.CallAsync("DescribeStreamSummary", new { StreamName = stream }))["StreamDescriptionSummary"]!["StreamStatus"]!);

        var scaled = await client.CallAsync("UpdateShardCount", new { StreamName = stream, TargetShardCount = 4, ScalingType = "UNIFORM_SCALING" });

        Assert.Equal(4, (int)scaled["TargetShardCount"]!);
        var summary = (await client.CallAsync("DescribeStreamSummary", new { StreamName = stream }))["StreamDescriptionSummary"]!;
        Assert.Equal("ACTIVE", (string)summary["StreamStatus"]!);
        Assert.Equal(4, (int)summary["OpenShardCount"]!);
    }

    [Fact]
    public async Task Concurrent_reshards_of_one_stream_either_succeed_or_find_it_in_use()
    {
        using var client = await NewClientAsync();
        var stream = Name("conc");
        await client.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 6 });
        var shards = (await client.CallAsync("ListShards", new { StreamName = stream }))["Shards"]!.AsArray();

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
        {
            var start = BigInteger.Parse((string)shards[i]!["HashKeyRange"]!["StartingHashKey"]!, CultureInfo.InvariantCulture);
            return client.SendAsync("SplitShard", new { StreamName = stream, ShardToSplit = Shard(i), NewStartingHashKey = (start + 1000).ToString(CultureInfo.InvariantCulture) });
        }));

        var succeeded = answers.Count(a => a.Status == HttpStatusCode.OK);
        Assert.True(succeeded >= 1);
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.OK), a => Assert.Equal("ResourceInUseException", (string)a.Body!["__type"]!));
        var summary = (await client.CallAsync("DescribeStreamSummary", new { StreamName = stream }))["StreamDescriptionSummary"]!;
        Assert.Equal("ACTIVE", (string)summary["StreamStatus"]!);
        Assert.Equal(6 + succeeded, (int)summary["OpenShardCount"]!);
        Assert.Equal(6 + (2 * succeeded), (await client.CallAsync("ListShards", new { StreamName = stream }))["Shards"]!.AsArray().Count);
    }

    [Fact]
    public async Task ListShards_filters_tell_open_closed_and_past_shards_apart()
    {
        using var client = await NewClientAsync();
        var stream = Name("filter");
        await client.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = 1 });
        var beforeSplit = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds() / 1000.0;
        await client.CallAsync("SplitShard", new { StreamName = stream, ShardToSplit = Shard(0), NewStartingHashKey = Half });
        var afterSplit = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeMilliseconds() / 1000.0;

        async Task<string[]> ListAsync(object? filter) =>
            [.. (await client.CallAsync("ListShards", filter is null ? new { StreamName = stream } : new { StreamName = stream, ShardFilter = filter }))["Shards"]!.AsArray().Select(s => (string)s!["ShardId"]!)];

        Assert.Equal([Shard(0), Shard(1), Shard(2)], await ListAsync(null));
        Assert.Equal([Shard(1), Shard(2)], await ListAsync(new { Type = "AT_LATEST" }));
        Assert.Equal([Shard(1), Shard(2)], await ListAsync(new { Type = "AFTER_SHARD_ID", ShardId = Shard(0) }));
        Assert.Equal([Shard(0)], await ListAsync(new { Type = "AT_TRIM_HORIZON" }));
        Assert.Equal([Shard(0), Shard(1), Shard(2)], await ListAsync(new { Type = "FROM_TRIM_HORIZON" }));
        Assert.Equal([Shard(0)], await ListAsync(new { Type = "AT_TIMESTAMP", Timestamp = beforeSplit }));
        Assert.Equal([Shard(1), Shard(2)], await ListAsync(new { Type = "AT_TIMESTAMP", Timestamp = afterSplit }));
        Assert.Equal([Shard(0), Shard(1), Shard(2)], await ListAsync(new { Type = "FROM_TIMESTAMP", Timestamp = beforeSplit }));
        Assert.Equal([Shard(1), Shard(2)], await ListAsync(new { Type = "FROM_TIMESTAMP", Timestamp = afterSplit }));
    }

    private static void AssertShard(JsonNode shard, string parent, string? adjacent, string start, string end)
    {
        Assert.Equal(parent, (string?)shard["ParentShardId"]);
        Assert.Equal(adjacent, (string?)shard["AdjacentParentShardId"]);
        Assert.Equal(start, (string)shard["HashKeyRange"]!["StartingHashKey"]!);
        Assert.Equal(end, (string)shard["HashKeyRange"]!["EndingHashKey"]!);
        Assert.Null((string?)shard["SequenceNumberRange"]!["EndingSequenceNumber"]);
    }

    private static async Task AssertUniformAsync(Client client, string stream, int count)
    {
        var open = (await client.CallAsync("ListShards", new { StreamName = stream, ShardFilter = new { Type = "AT_LATEST" } }))["Shards"]!.AsArray();
        var expected = Enumerable.Range(0, count).Select(i => ((Space * i / count).ToString(CultureInfo.InvariantCulture), ((Space * (i + 1) / count) - 1).ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(expected, open.Select(s => ((string)s!["HashKeyRange"]!["StartingHashKey"]!, (string)s["HashKeyRange"]!["EndingHashKey"]!)));
    }

    private static async Task ExpectAsync(Client client, string operation, object body, string type, string? message)
    {
        var (status, answer) = await client.SendAsync(operation, body);
        Assert.True(status == HttpStatusCode.BadRequest, $"{operation} answered {(int)status}: {answer?.ToJsonString()}");
        Assert.Equal(type, (string)answer!["__type"]!);
        if (message is not null)
        {
            Assert.Equal(message, (string)answer["message"]!);
        }
    }

    private async Task SetStatusAsync(string stream, string status)
    {
        await using var connection = new NpgsqlConnection(cluster.MetadataConnectionString);
        await connection.OpenAsync();
        await using var update = new NpgsqlCommand("UPDATE streams SET status = @status WHERE name = @name", connection);
        update.Parameters.AddWithValue("status", status);
        update.Parameters.AddWithValue("name", stream);
        Assert.Equal(1, await update.ExecuteNonQueryAsync());
    }

    /// <summary>Takes the stream's reshard lock as another gateway resharding it would; disposing releases it.</summary>
    private async Task<NpgsqlConnection> HoldReshardLockAsync(string stream)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cluster.MetadataConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT pg_advisory_lock(@class, (SELECT id FROM streams WHERE name = @name)::int)", connection);
        query.Parameters.AddWithValue("class", Sluice.Metadata.StreamCatalog.ReshardLockClass);
        query.Parameters.AddWithValue("name", stream);
        await query.ExecuteNonQueryAsync();
        return connection;
    }

    private static async Task<List<Written>> PutAsync(Client client, string stream, string prefix, int count, string? explicitHashKey = null)
    {
        var records = Enumerable.Range(0, count).Select(i => new Dictionary<string, string?>
        {
            ["Data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{prefix}-{i}")),
            ["PartitionKey"] = $"{prefix}-{i}",
            ["ExplicitHashKey"] = explicitHashKey,
        }.Where(p => p.Value is not null).ToDictionary()).ToArray();
        var answer = await client.CallAsync("PutRecords", new { StreamName = stream, Records = records });
        Assert.True((int)answer["FailedRecordCount"]! == 0, answer.ToJsonString());
        return [.. answer["Records"]!.AsArray().Select((r, i) => new Written((string)r!["ShardId"]!, (string)r["SequenceNumber"]!, $"{prefix}-{i}"))];
    }

    private static async Task<string> IteratorAsync(Client client, string stream, string shard, string type, string? sequence = null) =>
        (string)(await client.CallAsync("GetShardIterator", sequence is null
            ? new { StreamName = stream, ShardId = shard, ShardIteratorType = type }
            : (object)new { StreamName = stream, ShardId = shard, ShardIteratorType = type, StartingSequenceNumber = sequence }))["ShardIterator"]!;

    /// <summary>
    /// Reads a shard from TRIM_HORIZON until its end (a page with ChildShards, returned) or, for an
    /// open shard, until caught up (null).
    /// </summary>
    private static async Task<(List<Written> Records, JsonNode? End)> ReadShardAsync(Client client, string stream, string shard)
    {
        var records = new List<Written>();
        var iterator = await IteratorAsync(client, stream, shard, "TRIM_HORIZON");
        var deadline = DateTime.UtcNow + ReadTimeout;
        while (true)
        {
            var page = await client.CallAsync("GetRecords", new { ShardIterator = iterator });
            var got = page["Records"]!.AsArray();
            records.AddRange(got.Select(r => new Written(shard, (string)r!["SequenceNumber"]!, Encoding.UTF8.GetString(Convert.FromBase64String((string)r["Data"]!)))));
            if (page["ChildShards"] is JsonArray)
            {
                return (records, page);
            }

            iterator = (string?)page["NextShardIterator"] ?? throw new InvalidOperationException($"GetRecords of {shard} answered neither NextShardIterator nor ChildShards: {page.ToJsonString()}");
            if (got.Count == 0 && (long)page["MillisBehindLatest"]! == 0)
            {
                var open = (await client.CallAsync("ListShards", new { StreamName = stream, ShardFilter = new { Type = "AT_LATEST" } }))["Shards"]!.AsArray()
                    .Any(s => (string)s!["ShardId"]! == shard);
                if (open)
                {
                    return (records, null);
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"{shard} of {stream} did not reach its end in {ReadTimeout}");
        }
    }

    /// <summary>Reads the whole stream as a Kinesis consumer does: every parent to its end before its children.</summary>
    private static async Task<List<Written>> ReadLineageAsync(Client client, string stream)
    {
        var shards = (await client.CallAsync("ListShards", new { StreamName = stream }))["Shards"]!.AsArray();
        var parents = shards.ToDictionary(
            s => (string)s!["ShardId"]!,
            s => new[] { (string?)s!["ParentShardId"], (string?)s["AdjacentParentShardId"] }.OfType<string>().ToArray());
        var done = new HashSet<string>();
        var ready = new Queue<string>(parents.Where(p => p.Value.Length == 0).Select(p => p.Key));
        var records = new List<Written>();
        while (ready.TryDequeue(out var shard))
        {
            var (read, end) = await ReadShardAsync(client, stream, shard);
            records.AddRange(read);
            done.Add(shard);
            var children = end?["ChildShards"]!.AsArray().Select(c => (string)c!["ShardId"]!) ?? [];
            foreach (var child in children.Where(c => !done.Contains(c) && !ready.Contains(c) && parents[c].All(done.Contains)))
            {
                ready.Enqueue(child);
            }
        }

        Assert.Equal(parents.Keys.Order(), done.Order());
        return records;
    }

    private static string Shard(int index) => $"shardId-{index:D12}";

    private static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private async Task<Client> NewClientAsync()
    {
        var tenant = await cluster.CreateTenantAsync("rs");
        var key = await cluster.CreateAccessKeyAsync(tenant);
        return new Client(cluster.HttpEndpoint, key.AccessKeyId, key.SecretAccessKey, tenant.AccountId);
    }

    private sealed record Written(string ShardId, string SequenceNumber, string Data);

    /// <summary>A signed client of one tenant's access key.</summary>
    private sealed class Client(Uri endpoint, string accessKeyId, string secret, string accountId) : IDisposable
    {
        private readonly SignedKinesisClient _inner = new(endpoint, accessKeyId, secret);

        public string AccountId => accountId;

        public Client Clone(Uri? otherEndpoint = null) => new(otherEndpoint ?? endpoint, accessKeyId, secret, accountId);

        public Task<JsonNode> CallAsync(string operation, object body) => _inner.CallAsync(operation, body);

        public Task CreateStreamAndWaitAsync(string streamName, object request) => _inner.CreateStreamAndWaitAsync(streamName, request);

        public Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(string operation, object body) => _inner.SendAsync(operation, body);

        public void Dispose() => _inner.Dispose();
    }
}
