using System.Diagnostics;
using System.Formats.Cbor;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Sluice.Cli.Commands.Bench;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Kinesis.Consumers;

/// <summary>
/// Kinesis enhanced fan-out against a real cluster: stream consumers (register, CREATING → ACTIVE,
/// describe, list, deregister, limits, tenant isolation) and SubscribeToShard's event stream over
/// HTTP/2 (h2c) and HTTP/1.1 chunked, JSON and CBOR.
/// </summary>
[Collection(KinesisConsumersCollection.Name)]
public sealed class KinesisConsumerTests(KinesisConsumersFixture cluster)
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ActiveTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_consumer_is_CREATING_then_ACTIVE_is_described_listed_counted_and_deregistered()
    {
        await using var client = await NewClientAsync();
        var stream = await client.CreateStreamAsync(shards: 1);
        var streamArn = client.StreamArn(stream);

        var registered = (await client.Kinesis.CallAsync("RegisterStreamConsumer", new { StreamARN = streamArn, ConsumerName = "billing" }))["Consumer"]!;
        Assert.Equal("billing", (string)registered["ConsumerName"]!);
        Assert.Equal("CREATING", (string)registered["ConsumerStatus"]!);
        var arn = (string)registered["ConsumerARN"]!;
        var created = (double)registered["ConsumerCreationTimestamp"]!;
        Assert.Equal($"{streamArn}/consumer/billing:{(long)Math.Floor(created)}", arn);
        Assert.InRange(created, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());

        var described = await client.WaitActiveAsync(arn);
        Assert.Equal(streamArn, (string)described["StreamARN"]!);
        Assert.Equal(arn, (string)described["ConsumerARN"]!);
        var byName = (await client.Kinesis.CallAsync("DescribeStreamConsumer", new { StreamARN = streamArn, ConsumerName = "billing" }))["ConsumerDescription"]!;
        Assert.Equal(described.ToJsonString(), byName.ToJsonString());
        Assert.Equal(1, (int)(await client.Kinesis.CallAsync("DescribeStreamSummary", new { StreamName = stream }))["StreamDescriptionSummary"]!["ConsumerCount"]!);

        var (status, body) = await client.Kinesis.SendAsync("RegisterStreamConsumer", new { StreamARN = streamArn, ConsumerName = "billing" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("ResourceInUseException", (string)body!["__type"]!);

        foreach (var name in new[] { "audit", "search", "ml" })
        {
            await client.Kinesis.CallAsync("RegisterStreamConsumer", new { StreamARN = streamArn, ConsumerName = name });
        }

        var page1 = await client.Kinesis.CallAsync("ListStreamConsumers", new { StreamARN = streamArn, MaxResults = 3 });
        Assert.NotNull((string?)page1["NextToken"]);
        var page2 = await client.Kinesis.CallAsync("ListStreamConsumers", new { StreamARN = streamArn, NextToken = (string)page1["NextToken"]! });
        Assert.Null(page2["NextToken"]);
        var listed = page1["Consumers"]!.AsArray().Concat(page2["Consumers"]!.AsArray()).ToList();
        Assert.Equal(["billing", "audit", "search", "ml"], listed.Select(c => (string)c!["ConsumerName"]!));
        Assert.Equal("ACTIVE", (string)listed[0]!["ConsumerStatus"]!);
        Assert.Equal(arn, (string)listed[0]!["ConsumerARN"]!);
        var withTimestamp = await client.Kinesis.CallAsync("ListStreamConsumers", new { StreamARN = streamArn, StreamCreationTimestamp = client.StreamCreated(stream) });
        Assert.Equal(4, withTimestamp["Consumers"]!.AsArray().Count);
        (status, body) = await client.Kinesis.SendAsync("ListStreamConsumers", new { StreamARN = streamArn, StreamCreationTimestamp = 1_000_000_000 });
        Assert.Equal("ResourceNotFoundException", (string)body!["__type"]!);

        // A stream with consumers is deleted only when asked to delete them too.
        (status, body) = await client.Kinesis.SendAsync("DeleteStream", new { StreamName = stream });
        Assert.Equal("ResourceInUseException", (string)body!["__type"]!);

        await client.Kinesis.CallAsync("DeregisterStreamConsumer", new { ConsumerARN = arn });
        await Wait.UntilAsync(async () => (await client.Kinesis.SendAsync("DescribeStreamConsumer", new { ConsumerARN = arn })).Status == HttpStatusCode.BadRequest, ActiveTimeout, () => "the deregistered consumer gone");
        (status, body) = await client.Kinesis.SendAsync("DescribeStreamConsumer", new { ConsumerARN = arn });
        Assert.Equal("ResourceNotFoundException", (string)body!["__type"]!);
        (status, body) = await client.Kinesis.SendAsync("DeregisterStreamConsumer", new { StreamARN = streamArn, ConsumerName = "billing" });
        Assert.Equal("ResourceNotFoundException", (string)body!["__type"]!);
        Assert.Equal(3, (int)(await client.Kinesis.CallAsync("DescribeStreamSummary", new { StreamName = stream }))["StreamDescriptionSummary"]!["ConsumerCount"]!);

        // Registered again under the same name: a new ARN (a later second), and the old one stays unknown.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        var again = (string)(await client.Kinesis.CallAsync("RegisterStreamConsumer", new { StreamARN = streamArn, ConsumerName = "billing" }))["Consumer"]!["ConsumerARN"]!;
        Assert.NotEqual(arn, again);
        (status, body) = await client.Kinesis.SendAsync("DescribeStreamConsumer", new { ConsumerARN = arn });
        Assert.Equal("ResourceNotFoundException", (string)body!["__type"]!);

        // DeleteStream answers with the stream DELETING; its consumers go with it once it is gone.
        await client.Kinesis.CallAsync("DeleteStream", new { StreamName = stream, EnforceConsumerDeletion = true });
        await client.Kinesis.WaitUntilGoneAsync(stream);
        (status, body) = await client.Kinesis.SendAsync("DescribeStreamConsumer", new { ConsumerARN = again });
        Assert.Equal("ResourceNotFoundException", (string)body!["__type"]!);
    }

    [Fact]
    public async Task A_stream_takes_20_consumers_and_5_CREATING_at_once()
    {
        await using var client = await NewClientAsync();
        var streamArn = client.StreamArn(await client.CreateStreamAsync(shards: 1));

        var first = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => client.Kinesis.SendAsync("RegisterStreamConsumer", new { StreamARN = streamArn, ConsumerName = $"c{i}" })));
        var refused = Assert.Single(first, r => r.Status != HttpStatusCode.OK);
        Assert.Equal("LimitExceededException", (string)refused.Body!["__type"]!);
        Assert.Contains("CREATING", (string)refused.Body["message"]!, StringComparison.Ordinal);

        // Five at a time, each batch ACTIVE before the next, up to the limit of 20.
        var registered = 5;
        for (var next = 6; registered < 20; registered += 5)
        {
            await Wait.UntilAsync(async () => await CountActiveAsync(client, streamArn) == registered, ActiveTimeout, () => $"{registered} ACTIVE consumers");
            for (var i = 0; i < 5; i++)
            {
                await client.Kinesis.CallAsync("RegisterStreamConsumer", new { StreamARN = streamArn, ConsumerName = $"c{next++}" });
            }
        }

        await Wait.UntilAsync(async () => await CountActiveAsync(client, streamArn) == 20, ActiveTimeout, () => "20 ACTIVE consumers");
        var (overStatus, over) = await client.Kinesis.SendAsync("RegisterStreamConsumer", new { StreamARN = streamArn, ConsumerName = "c-21" });
        Assert.Equal(HttpStatusCode.BadRequest, overStatus);
        Assert.Equal("LimitExceededException", (string)over!["__type"]!);
        Assert.Contains("20", (string)over["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_tenants_consumers_and_streams_answer_like_missing_ones()
    {
        await using var owner = await NewClientAsync();
        await using var other = await NewClientAsync();
        var stream = await owner.CreateStreamAsync(shards: 1);
        var streamArn = owner.StreamArn(stream);
        var arn = await owner.RegisterActiveAsync(streamArn, "mine");

        foreach (var (operation, request) in new (string, object)[]
        {
            ("DescribeStreamConsumer", new { ConsumerARN = arn }),
            ("DescribeStreamConsumer", new { StreamARN = streamArn, ConsumerName = "mine" }),
            ("DeregisterStreamConsumer", new { ConsumerARN = arn }),
            ("ListStreamConsumers", new { StreamARN = streamArn }),
            ("RegisterStreamConsumer", new { StreamARN = streamArn, ConsumerName = "theirs" }),
        })
        {
            var (status, body) = await other.Kinesis.SendAsync(operation, request);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("ResourceNotFoundException", (string)body!["__type"]!);
            Assert.Contains(owner.Tenant.AccountId, (string)body["message"]!, StringComparison.Ordinal);
        }

        // The same name in the other tenant's own account is a missing consumer with the same answer.
        var otherStream = other.StreamArn(stream);
        var (_, missing) = await other.Kinesis.SendAsync("DescribeStreamConsumer", new { ConsumerARN = arn.Replace(owner.Tenant.AccountId, other.Tenant.AccountId, StringComparison.Ordinal) });
        Assert.Equal("ResourceNotFoundException", (string)missing!["__type"]!);
        Assert.StartsWith("arn:aws:kinesis:", otherStream, StringComparison.Ordinal);

        var (subscribeStatus, error, subscription) = await other.SubscribeAsync(new { ConsumerARN = arn, ShardId = "shardId-000000000000", StartingPosition = new { Type = "LATEST" } });
        Assert.Null(subscription);
        Assert.Equal(HttpStatusCode.BadRequest, subscribeStatus);
        Assert.Equal("ResourceNotFoundException", (string)error!["__type"]!);
        Assert.Equal("ACTIVE", (string)(await owner.Kinesis.CallAsync("DescribeStreamConsumer", new { ConsumerARN = arn }))["ConsumerDescription"]!["ConsumerStatus"]!);
    }

    [Fact]
    public async Task SubscribeToShard_from_TRIM_HORIZON_pushes_existing_then_live_records_over_HTTP_2_and_ends_after_its_lifetime()
    {
        await using var client = await NewClientAsync();
        var stream = await client.CreateStreamAsync(shards: 1);
        var written = await client.PutAsync(stream, Enumerable.Range(0, 50).Select(i => $"old-{i}"));
        var arn = await client.RegisterActiveAsync(client.StreamArn(stream), "pusher");

        var started = Stopwatch.StartNew();
        var (status, error, opened) = await client.SubscribeAsync(new { ConsumerARN = arn, ShardId = "shardId-000000000000", StartingPosition = new { Type = "TRIM_HORIZON" } }, HttpVersion.Version20);
        Assert.True(status == HttpStatusCode.OK, error?.ToJsonString());
        await using var subscription = opened!;
        Assert.Equal(HttpVersion.Version20, subscription.Version);
        Assert.Equal(EventStreamSubscription.EventStreamContentType, subscription.ContentType);

        var initial = (await subscription.NextAsync(EventTimeout))!;
        Assert.Equal("event", initial.MessageType);
        Assert.Equal("initial-response", initial.EventType);
        Assert.Equal("{}", Encoding.UTF8.GetString(initial.Payload));

        var events = await subscription.ReadUntilAsync(e => RecordsOf(e).Count >= 50, EventTimeout);
        Assert.All(events, e => Assert.Equal("application/json", e.Headers[":content-type"]));
        Assert.Equal(written, RecordsOf(events).Select(r => (string)r["SequenceNumber"]!));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"old-{i}"), RecordsOf(events).Select(r => Encoding.UTF8.GetString(Convert.FromBase64String((string)r["Data"]!))));
        Assert.Equal(written[^1], events[^1].Continuation);
        Assert.All(events, e => Assert.True((long)e.Json["MillisBehindLatest"]! >= 0));
        Assert.All(RecordsOf(events), r => Assert.Equal("p", (string)r["PartitionKey"]!));

        // New records are pushed as they arrive.
        var live = await client.PutAsync(stream, ["live-1", "live-2"]);
        var pushed = Stopwatch.StartNew();
        var liveEvents = await subscription.ReadUntilAsync(e => RecordsOf(e).Count >= 2, EventTimeout);
        Assert.Equal(live, RecordsOf(liveEvents).Select(r => (string)r["SequenceNumber"]!));
        Assert.True(pushed.Elapsed < TimeSpan.FromSeconds(5), $"live records took {pushed.Elapsed}");
        Assert.Equal(live[^1], liveEvents[^1].Continuation);

        // Then heartbeats without records, each with the same continuation, until the lifetime is up.
        var rest = new List<StreamEvent>();
        while (await subscription.NextAsync(EventTimeout) is { } next)
        {
            rest.Add(next);
        }

        Assert.NotEmpty(rest);
        Assert.All(rest, e =>
        {
            Assert.True(e.IsRecordsEvent, $"{e.MessageType} {e.EventType} {e.ExceptionType}");
            Assert.Empty(e.Records);
            Assert.Equal(live[^1], e.Continuation);
            Assert.Equal(0, (long)e.Json["MillisBehindLatest"]!);
        });
        Assert.InRange(started.Elapsed, KinesisConsumersFixture.SubscriptionLifetime - TimeSpan.FromSeconds(1), KinesisConsumersFixture.SubscriptionLifetime + TimeSpan.FromSeconds(10));

        // The continuation resumes exactly after the last record delivered (AFTER, as the KCL does),
        // or at it again (AT).
        var missed = await client.PutAsync(stream, ["later-1", "later-2", "later-3"]);
        await using (var after = await client.SubscribeOkAsync(new { ConsumerARN = arn, ShardId = "shardId-000000000000", StartingPosition = new { Type = "AFTER_SEQUENCE_NUMBER", SequenceNumber = live[^1] } }))
        {
            var resumed = await after.ReadUntilAsync(e => RecordsOf(e).Count >= 3, EventTimeout);
            Assert.Equal(missed, RecordsOf(resumed).Select(r => (string)r["SequenceNumber"]!));
        }

        await Task.Delay(TimeSpan.FromMilliseconds(200));
        await using (var at = await client.SubscribeOkAsync(new { ConsumerARN = arn, ShardId = "shardId-000000000000", StartingPosition = new { Type = "AT_SEQUENCE_NUMBER", SequenceNumber = live[^1] } }))
        {
            var again = await at.ReadUntilAsync(e => RecordsOf(e).Count >= 4, EventTimeout);
            Assert.Equal(new[] { live[^1] }.Concat(missed), RecordsOf(again).Select(r => (string)r["SequenceNumber"]!));
        }
    }

    [Fact]
    public async Task SubscribeToShard_over_HTTP_1_1_with_a_CBOR_request_sends_CBOR_events_in_chunks()
    {
        await using var client = await NewClientAsync();
        var stream = await client.CreateStreamAsync(shards: 1);
        byte[] payload = [0, 1, 2, 0xFF];
        await client.Kinesis.CallAsync("PutRecord", new { StreamName = stream, Data = Convert.ToBase64String(payload), PartitionKey = "p" });
        var arn = await client.RegisterActiveAsync(client.StreamArn(stream), "cbor");

        var request = new CborWriter();
        request.WriteStartMap(null);
        request.WriteTextString("ConsumerARN");
        request.WriteTextString(arn);
        request.WriteTextString("ShardId");
        request.WriteTextString("shardId-000000000000");
        request.WriteTextString("StartingPosition");
        request.WriteStartMap(null);
        request.WriteTextString("Type");
        request.WriteTextString("TRIM_HORIZON");
        request.WriteEndMap();
        request.WriteEndMap();
        var (status, error, opened) = await EventStreamSubscription.OpenAsync(
            client.Http, cluster.HttpEndpoint, client.Signer, HttpVersion.Version11, request.Encode(), "application/x-amz-cbor-1.1");
        Assert.True(status == HttpStatusCode.OK, error?.ToJsonString());
        await using var subscription = opened!;
        Assert.Equal(HttpVersion.Version11, subscription.Version);

        var initial = (await subscription.NextAsync(EventTimeout))!;
        Assert.Equal("initial-response", initial.EventType);
        Assert.Equal("application/x-amz-cbor-1.1", initial.Headers[":content-type"]);
        var first = (await subscription.NextAsync(EventTimeout))!;
        Assert.Equal("SubscribeToShardEvent", first.EventType);
        Assert.Equal("application/x-amz-cbor-1.1", first.Headers[":content-type"]);

        // Records[0].Data is a CBOR byte string, its arrival time tag 1 over epoch milliseconds.
        var reader = new CborReader(first.Payload, CborConformanceMode.Lax);
        byte[]? data = null;
        string? continuation = null;
        reader.ReadStartMap();
        while (reader.PeekState() != CborReaderState.EndMap)
        {
            switch (reader.ReadTextString())
            {
                case "Records":
                    reader.ReadStartArray();
                    reader.ReadStartMap();
                    while (reader.PeekState() != CborReaderState.EndMap)
                    {
                        if (reader.ReadTextString() == "Data")
                        {
                            data = reader.ReadByteString();
                        }
                        else
                        {
                            reader.SkipValue();
                        }
                    }

                    reader.ReadEndMap();
                    reader.ReadEndArray();
                    break;
                case "ContinuationSequenceNumber":
                    continuation = reader.ReadTextString();
                    break;
                default:
                    reader.SkipValue();
                    break;
            }
        }

        Assert.Equal(payload, data);
        Assert.NotNull(continuation);
    }

    [Fact]
    public async Task A_second_subscription_within_5_seconds_is_refused_and_a_later_one_takes_over()
    {
        await using var client = await NewClientAsync();
        var stream = await client.CreateStreamAsync(shards: 1);
        var arn = await client.RegisterActiveAsync(client.StreamArn(stream), "single");
        var request = new { ConsumerARN = arn, ShardId = "shardId-000000000000", StartingPosition = new { Type = "LATEST" } };

        await using var first = await client.SubscribeOkAsync(request);
        var takenAt = Stopwatch.StartNew();
        var (status, error, refused) = await client.SubscribeAsync(request);
        Assert.Null(refused);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("ResourceInUseException", (string)error!["__type"]!);

        // Other shards and other consumers are not affected.
        var otherArn = await client.RegisterActiveAsync(client.StreamArn(stream), "other");
        await using (var other = await client.SubscribeOkAsync(new { ConsumerARN = otherArn, ShardId = "shardId-000000000000", StartingPosition = new { Type = "LATEST" } }))
        {
            Assert.Equal("initial-response", (await other.NextAsync(EventTimeout))!.EventType);
        }

        var wait = TimeSpan.FromSeconds(5.5) - takenAt.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        await using var second = await client.SubscribeOkAsync(request);
        var ended = await first.ReadUntilAsync(e => e.Count > 0 && e[^1].MessageType == "exception", EventTimeout);
        Assert.Equal("ResourceInUseException", ended[^1].ExceptionType);
        Assert.Null(await first.NextAsync(EventTimeout));
        Assert.Equal("initial-response", (await second.NextAsync(EventTimeout))!.EventType);
    }

    [Fact]
    public async Task Deregistering_ends_its_subscriptions_and_a_client_that_leaves_frees_the_shard_at_once()
    {
        await using var client = await NewClientAsync();
        var stream = await client.CreateStreamAsync(shards: 2);
        var arn = await client.RegisterActiveAsync(client.StreamArn(stream), "leaver");

        // A client that disconnects gives the shard back: a new subscription right after is not refused.
        var gone = await client.SubscribeOkAsync(new { ConsumerARN = arn, ShardId = "shardId-000000000001", StartingPosition = new { Type = "LATEST" } });
        Assert.Equal("initial-response", (await gone.NextAsync(EventTimeout))!.EventType);
        await gone.DisposeAsync();
        await Wait.UntilAsync(async () =>
        {
            var (status, _, subscription) = await client.SubscribeAsync(new { ConsumerARN = arn, ShardId = "shardId-000000000001", StartingPosition = new { Type = "LATEST" } });
            if (subscription is not null)
            {
                await subscription.DisposeAsync();
            }

            return status == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(4), () => "the shard freed by the client that left");

        await using var subscription = await client.SubscribeOkAsync(new { ConsumerARN = arn, ShardId = "shardId-000000000000", StartingPosition = new { Type = "TRIM_HORIZON" } });
        Assert.Equal("initial-response", (await subscription.NextAsync(EventTimeout))!.EventType);
        await client.Kinesis.CallAsync("DeregisterStreamConsumer", new { ConsumerARN = arn });
        var events = await subscription.ReadUntilAsync(e => e.Count > 0 && e[^1].MessageType == "exception", EventTimeout);
        Assert.Equal("ResourceNotFoundException", events[^1].ExceptionType);
        Assert.Null(await subscription.NextAsync(EventTimeout));
    }

    [Fact]
    public async Task SubscribeToShard_answers_missing_consumers_and_shards_CREATING_consumers_and_bad_positions_with_Kinesis_errors()
    {
        await using var client = await NewClientAsync();
        var stream = await client.CreateStreamAsync(shards: 2);
        var streamArn = client.StreamArn(stream);
        var arn = await client.RegisterActiveAsync(streamArn, "errors");

        async Task ExpectAsync(object request, string type, string? contains = null)
        {
            var (status, error, subscription) = await client.SubscribeAsync(request);
            if (subscription is not null)
            {
                await subscription.DisposeAsync();
            }

            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal(type, (string)error!["__type"]!);
            if (contains is not null)
            {
                Assert.Contains(contains, (string)error["message"]!, StringComparison.Ordinal);
            }
        }

        await ExpectAsync(new { ConsumerARN = $"{streamArn}/consumer/nobody:1764042000", ShardId = "shardId-000000000000", StartingPosition = new { Type = "LATEST" } }, "ResourceNotFoundException");
        await ExpectAsync(new { ConsumerARN = arn, ShardId = "shardId-000000000009", StartingPosition = new { Type = "LATEST" } }, "ResourceNotFoundException", "shardId-000000000009");
        await ExpectAsync(new { ConsumerARN = arn, ShardId = "shardId-000000000000", StartingPosition = new { Type = "AT_SEQUENCE_NUMBER" } }, "InvalidArgumentException");
        await ExpectAsync(new { ConsumerARN = arn, ShardId = "shardId-000000000000", StartingPosition = new { Type = "AT_TIMESTAMP" } }, "InvalidArgumentException");
        var onShard1 = (await client.PutAsync(stream, ["x"], explicitHashKey: "340282366920938463463374607431768211455"))[0];
        await ExpectAsync(new { ConsumerARN = arn, ShardId = "shardId-000000000000", StartingPosition = new { Type = "AFTER_SEQUENCE_NUMBER", SequenceNumber = onShard1 } }, "InvalidArgumentException", "shardId-000000000001");
        await ExpectAsync(new { ConsumerARN = arn, ShardId = "shardId-000000000000", StartingPosition = new { Type = "SOMETIME" } }, "ValidationException");

        var creating = (string)(await client.Kinesis.CallAsync("RegisterStreamConsumer", new { StreamARN = streamArn, ConsumerName = "fresh" }))["Consumer"]!["ConsumerARN"]!;
        await ExpectAsync(new { ConsumerARN = creating, ShardId = "shardId-000000000000", StartingPosition = new { Type = "LATEST" } }, "ResourceInUseException", "CREATING");
    }

    [Fact]
    public async Task A_shard_that_never_held_a_record_resumes_from_its_first_record_after_the_continuation()
    {
        await using var client = await NewClientAsync();
        var stream = await client.CreateStreamAsync(shards: 1);
        var arn = await client.RegisterActiveAsync(client.StreamArn(stream), "early");
        var request = new { ConsumerARN = arn, ShardId = "shardId-000000000000", StartingPosition = new { Type = "TRIM_HORIZON" } };

        string continuation;
        await using (var subscription = await client.SubscribeOkAsync(request))
        {
            var events = await subscription.ReadUntilAsync(e => e.Any(x => x.IsRecordsEvent), EventTimeout);
            Assert.Empty(events[^1].Records);
            continuation = events[^1].Continuation!;
        }

        Assert.Matches("^[0-9]{37}$", continuation);
        var first = await client.PutAsync(stream, ["first"]);
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        await using var resumed = await client.SubscribeOkAsync(new { ConsumerARN = arn, ShardId = "shardId-000000000000", StartingPosition = new { Type = "AFTER_SEQUENCE_NUMBER", SequenceNumber = continuation } });
        var got = await resumed.ReadUntilAsync(e => RecordsOf(e).Count >= 1, EventTimeout);
        Assert.Equal(first, RecordsOf(got).Select(r => (string)r["SequenceNumber"]!));
    }

    [Fact]
    public async Task A_closed_shard_read_to_its_end_sends_ChildShards_without_a_continuation_and_ends_the_stream()
    {
        await using var client = await NewClientAsync();
        var stream = await client.CreateStreamAsync(shards: 1);
        var written = await client.PutAsync(stream, ["a", "b", "c"]);
        var arn = await client.RegisterActiveAsync(client.StreamArn(stream), "to-the-end");

        // Subscribed before the split: the records come first, then the split closes the shard under
        // the live subscription, which ends with the children and no continuation.
        await using var subscription = await client.SubscribeOkAsync(new { ConsumerARN = arn, ShardId = "shardId-000000000000", StartingPosition = new { Type = "TRIM_HORIZON" } });
        var before = await subscription.ReadUntilAsync(e => RecordsOf(e).Count >= 3, EventTimeout);
        Assert.All(before, e => Assert.Null(e.Json["ChildShards"]));
        await client.Kinesis.CallAsync("SplitShard", new { StreamName = stream, ShardToSplit = "shardId-000000000000", NewStartingHashKey = "170141183460469231731687303715884105728" });
        var events = await subscription.ReadUntilAsync(e => e.Count > 0 && e[^1].IsRecordsEvent && e[^1].Json["ChildShards"] is not null, EventTimeout);

        Assert.Equal(written, RecordsOf([.. before, .. events]).Select(r => (string)r["SequenceNumber"]!));
        var last = events[^1];
        Assert.Null(last.Continuation);
        Assert.Empty(last.Records);
        var children = last.Json["ChildShards"]!.AsArray();
        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], children.Select(c => (string)c!["ShardId"]!));
        Assert.All(children, c => Assert.Equal(["shardId-000000000000"], c!["ParentShards"]!.AsArray().Select(p => (string)p!)));
        Assert.Equal("170141183460469231731687303715884105728", (string)children[1]!["HashKeyRange"]!["StartingHashKey"]!);
        Assert.Null(await subscription.NextAsync(EventTimeout));
    }

    private static List<JsonNode> RecordsOf(IEnumerable<StreamEvent> events) =>
        [.. events.Where(e => e.IsRecordsEvent).SelectMany(e => e.Records).Select(r => r!)];

    private static async Task<int> CountActiveAsync(ConsumerClient client, string streamArn) =>
        (await client.Kinesis.CallAsync("ListStreamConsumers", new { StreamARN = streamArn }))["Consumers"]!.AsArray()
            .Count(c => (string)c!["ConsumerStatus"]! == "ACTIVE");

    private async Task<ConsumerClient> NewClientAsync()
    {
        var tenant = await cluster.CreateTenantAsync("efo");
        var key = await cluster.CreateAccessKeyAsync(tenant);
        return new ConsumerClient(cluster, tenant, key.AccessKeyId, key.SecretAccessKey);
    }

    /// <summary>A tenant's Kinesis client: operations over HTTP/1.1, subscriptions over h2c by default.</summary>
    private sealed class ConsumerClient(KinesisConsumersFixture cluster, TestTenant tenant, string accessKeyId, string secret) : IAsyncDisposable
    {
        private readonly Dictionary<string, double> _created = [];

        public TestTenant Tenant { get; } = tenant;

        public SignedKinesisClient Kinesis { get; } = new(cluster.HttpEndpoint, accessKeyId, secret);

        public KinesisSigner Signer { get; } = new(accessKeyId, secret, SignedKinesisClient.Region);

        public HttpClient Http { get; } = new(new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };

        public string StreamArn(string stream) => $"arn:aws:kinesis:{SignedKinesisClient.Region}:{Tenant.AccountId}:stream/{stream}";

        public double StreamCreated(string stream) => _created[stream];

        public async Task<string> CreateStreamAsync(int shards)
        {
            var stream = $"efo-{Guid.NewGuid():N}";
            await Kinesis.CreateStreamAndWaitAsync(stream, new { StreamName = stream, ShardCount = shards });
            _created[stream] = (double)(await Kinesis.CallAsync("DescribeStreamSummary", new { StreamName = stream }))["StreamDescriptionSummary"]!["StreamCreationTimestamp"]!;
            return stream;
        }

        /// <summary>Puts records (partition key "p") one request at a time, in order; returns their sequence numbers.</summary>
        public async Task<List<string>> PutAsync(string stream, IEnumerable<string> values, string? explicitHashKey = null)
        {
            var sequences = new List<string>();
            foreach (var value in values)
            {
                var put = await Kinesis.CallAsync("PutRecord", new { StreamName = stream, Data = Convert.ToBase64String(Encoding.UTF8.GetBytes(value)), PartitionKey = "p", ExplicitHashKey = explicitHashKey });
                sequences.Add((string)put["SequenceNumber"]!);
            }

            return sequences;
        }

        public async Task<JsonNode> WaitActiveAsync(string consumerArn)
        {
            JsonNode description = new JsonObject();
            await Wait.UntilAsync(async () =>
            {
                description = (await Kinesis.CallAsync("DescribeStreamConsumer", new { ConsumerARN = consumerArn }))["ConsumerDescription"]!;
                var status = (string)description["ConsumerStatus"]!;
                Assert.True(status is "CREATING" or "ACTIVE", $"consumer status {status}");
                return status == "ACTIVE";
            }, ActiveTimeout, () => $"consumer {consumerArn} ACTIVE");
            return description;
        }

        public async Task<string> RegisterActiveAsync(string streamArn, string name)
        {
            var arn = (string)(await Kinesis.CallAsync("RegisterStreamConsumer", new { StreamARN = streamArn, ConsumerName = name }))["Consumer"]!["ConsumerARN"]!;
            await WaitActiveAsync(arn);
            return arn;
        }

        public Task<(HttpStatusCode Status, JsonNode? Error, EventStreamSubscription? Subscription)> SubscribeAsync(object request, Version? version = null) =>
            EventStreamSubscription.OpenAsync(Http, version == HttpVersion.Version11 ? cluster.HttpEndpoint : cluster.GrpcEndpoint, Signer, version ?? HttpVersion.Version20, request);

        public async Task<EventStreamSubscription> SubscribeOkAsync(object request)
        {
            var (status, error, subscription) = await SubscribeAsync(request);
            Assert.True(status == HttpStatusCode.OK, $"SubscribeToShard answered {(int)status}: {error?.ToJsonString()}");
            return subscription!;
        }

        public ValueTask DisposeAsync()
        {
            Kinesis.Dispose();
            Http.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
