using System.Buffers;
using System.Buffers.Binary;
using System.Formats.Cbor;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Sluice.Core;
using Sluice.Gateway.Kinesis.Consumers;
using Sluice.Gateway.Kinesis.EventStream;
using Sluice.Gateway.Records;
using Sluice.Gateway.Routing;
using Sluice.Metadata.Model;
using Sluice.Storage.V1;

namespace Sluice.Gateway.Tests.Kinesis.Consumers;

/// <summary>
/// What a SubscribeToShard response carries, message by message (decoded with the event-stream
/// decoder), and when a shard counts as read to its end.
/// </summary>
public sealed class SubscribeToShardEventWriterTests
{
    private const int ShardIndex = 3;

    [Fact]
    public async Task A_JSON_subscription_sends_the_initial_response_then_events_shaped_like_GetRecords()
    {
        var messages = await WriteAsync(cbor: false, async events =>
        {
            await events.WriteInitialResponseAsync(default);
            await events.WriteEventAsync(Outcome(firstOffset: 7, ("k1", "v1"u8.ToArray(), 1_764_042_000_123), ("k2", [0, 0xFF], 1_764_042_000_456)),
                ContinuationSequenceNumber.Of(ShardIndex, 9), millisBehindLatest: 42, children: null, default);
            await events.WriteEventAsync(Outcome(firstOffset: 9), ContinuationSequenceNumber.Of(ShardIndex, 9), 0, null, default);
        });

        Assert.Equal(3, messages.Count);
        Assert.All(messages, m => Assert.Equal("event", m.Header(":message-type")));
        Assert.All(messages, m => Assert.Equal("application/json", m.Header(":content-type")));
        Assert.Equal("initial-response", messages[0].Header(":event-type"));
        Assert.Equal("{}", Encoding.UTF8.GetString(messages[0].Payload));

        Assert.Equal("SubscribeToShardEvent", messages[1].Header(":event-type"));
        var first = JsonNode.Parse(messages[1].Payload)!;
        var records = first["Records"]!.AsArray();
        Assert.Equal(2, records.Count);
        Assert.Equal(SequenceNumber.Encode(ShardIndex, 7), (string)records[0]!["SequenceNumber"]!);
        Assert.Equal(SequenceNumber.Encode(ShardIndex, 8), (string)records[1]!["SequenceNumber"]!);
        Assert.Equal("k1", (string)records[0]!["PartitionKey"]!);
        Assert.Equal(Convert.ToBase64String([0, 0xFF]), (string)records[1]!["Data"]!);
        Assert.Equal(1_764_042_000.123, (double)records[0]!["ApproximateArrivalTimestamp"]!, 3);
        Assert.Equal(SequenceNumber.Encode(ShardIndex, 8), (string)first["ContinuationSequenceNumber"]!);
        Assert.Equal(42, (long)first["MillisBehindLatest"]!);
        Assert.Null(first["ChildShards"]);

        var heartbeat = JsonNode.Parse(messages[2].Payload)!;
        Assert.Empty(heartbeat["Records"]!.AsArray());
        Assert.Equal(SequenceNumber.Encode(ShardIndex, 8), (string)heartbeat["ContinuationSequenceNumber"]!);
    }

    [Fact]
    public async Task The_last_event_of_a_closed_shard_has_ChildShards_and_no_continuation()
    {
        // Children of shard 0 as the read path reports them at its end: a split (one parent each)
        // and, for shape, a merge child that names an adjacent parent too.
        IReadOnlyList<ShardRoute> children =
        [
            Child(1, 0, 99, parent: 0),
            Child(2, 100, 199, parent: 0, adjacent: 5),
        ];

        var messages = await WriteAsync(cbor: false, events => events.WriteEventAsync(Outcome(firstOffset: 5), null, 0, children, default).AsTask());

        var last = JsonNode.Parse(Assert.Single(messages).Payload)!;
        Assert.Null(last["ContinuationSequenceNumber"]);
        var childShards = last["ChildShards"]!.AsArray();
        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], childShards.Select(c => (string)c!["ShardId"]!));
        Assert.Equal(["shardId-000000000000"], childShards[0]!["ParentShards"]!.AsArray().Select(p => (string)p!));
        Assert.Equal(["shardId-000000000000", "shardId-000000000005"], childShards[1]!["ParentShards"]!.AsArray().Select(p => (string)p!));
        Assert.Equal("0", (string)childShards[0]!["HashKeyRange"]!["StartingHashKey"]!);
        Assert.Equal("100", (string)childShards[1]!["HashKeyRange"]!["StartingHashKey"]!);
        Assert.Equal("199", (string)childShards[1]!["HashKeyRange"]!["EndingHashKey"]!);
    }

    [Fact]
    public async Task A_CBOR_subscription_sends_CBOR_payloads_with_byte_string_data()
    {
        var messages = await WriteAsync(cbor: true, async events =>
        {
            await events.WriteInitialResponseAsync(default);
            await events.WriteEventAsync(Outcome(firstOffset: 0, ("k", [0, 1, 0xFE], 1_764_042_000_000)), ContinuationSequenceNumber.Of(ShardIndex, 1), 0, null, default);
        });

        Assert.All(messages, m => Assert.Equal("application/x-amz-cbor-1.1", m.Header(":content-type")));
        var reader = new CborReader(messages[1].Payload, CborConformanceMode.Lax);
        reader.ReadStartMap();
        Assert.Equal("Records", reader.ReadTextString());
        reader.ReadStartArray();
        reader.ReadStartMap();
        var record = new Dictionary<string, object>();
        while (reader.PeekState() != CborReaderState.EndMap)
        {
            var key = reader.ReadTextString();
            record[key] = reader.PeekState() switch
            {
                CborReaderState.ByteString => reader.ReadByteString(),
                CborReaderState.Tag => (reader.ReadTag(), reader.ReadInt64()).Item2,
                _ => reader.ReadTextString(),
            };
        }

        Assert.Equal(new byte[] { 0, 1, 0xFE }, record["Data"]);
        Assert.Equal(1_764_042_000_000L, record["ApproximateArrivalTimestamp"]);
    }

    [Fact]
    public async Task An_exception_message_names_its_type_and_carries_the_message()
    {
        var messages = await WriteAsync(cbor: false, events => events.WriteExceptionAsync("ResourceInUseException", "taken over", default).AsTask());

        var message = Assert.Single(messages);
        Assert.Equal("exception", message.Header(":message-type"));
        Assert.Equal("ResourceInUseException", message.Header(":exception-type"));
        Assert.Equal("taken over", (string)JsonNode.Parse(message.Payload)!["message"]!);
    }

    private static async Task<List<EventStreamMessage>> WriteAsync(bool cbor, Func<SubscribeToShardEventWriter, Task> write)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        using (var events = new SubscribeToShardEventWriter(pipe.Writer, cbor))
        {
            await write(events);
        }

        await pipe.Writer.CompleteAsync();
        var bytes = new ArrayBufferWriter<byte>();
        while (true)
        {
            var read = await pipe.Reader.ReadAsync();
            foreach (var segment in read.Buffer)
            {
                bytes.Write(segment.Span);
            }

            pipe.Reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return EventStreamDecoder.ReadAll(bytes.WrittenMemory);
            }
        }
    }

    /// <summary>A read of the test shard: these records at consecutive offsets from <paramref name="firstOffset"/>.</summary>
    private static ReadOutcome Outcome(long firstOffset, params (string Key, byte[] Value, long TimestampMs)[] records)
    {
        var chunk = new List<byte>();
        foreach (var (key, value, timestamp) in records)
        {
            var header = new byte[14];
            BinaryPrimitives.WriteInt64LittleEndian(header, timestamp);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)Encoding.UTF8.GetByteCount(key));
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(10), value.Length);
            chunk.AddRange(header);
            chunk.AddRange(Encoding.UTF8.GetBytes(key));
            chunk.AddRange(value);
        }

        var response = new ReadResponse
        {
            Records = ByteString.CopyFrom([.. chunk]),
            RecordCount = records.Length,
            FirstOffset = firstOffset,
            NextOffset = firstOffset + records.Length,
        };
        return new ReadOutcome(ShardIndex, response, 0);
    }

    /// <summary>Shard 0 split at hash key 100 into shards 1 and 2, after its records 0..4.</summary>
    private static ShardRoute Child(int index, ulong start, ulong end, int parent, int? adjacent = null) =>
        new(index, ShardId.Format(index), start, end, IsOpen: true, "node-1", "http://127.0.0.1:1", 1, parent, adjacent);
}
