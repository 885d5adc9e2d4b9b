using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Sluice.Gateway.Kinesis.EventStream;

namespace Sluice.Gateway.Tests.Kinesis.EventStream;

/// <summary>
/// The event-stream framing (<c>application/vnd.amazon.eventstream</c>) against published vectors:
/// awslabs/aws-c-event-stream's message tests (tests/message_deserializer_test.c) and
/// aws-sdk-go's eventstream testdata (all_headers), then round trips and corruptions.
/// </summary>
public sealed class EventStreamEncoderTests
{
    // aws-c-event-stream test_outgoing_no_op_valid: no headers, no payload.
    private static readonly byte[] EmptyMessage = [0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x05, 0xc2, 0x48, 0xeb, 0x7d, 0x98, 0xc8, 0xff];

    // aws-c-event-stream test_outgoing_application_data_no_headers_valid: payload {'foo':'bar'}.
    private static readonly byte[] PayloadOnly =
    [
        0x00, 0x00, 0x00, 0x1D, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x52, 0x8c, 0x5a,
        0x7b, 0x27, 0x66, 0x6f, 0x6f, 0x27, 0x3a, 0x27, 0x62, 0x61, 0x72, 0x27, 0x7d,
        0xc3, 0x65, 0x39, 0x36,
    ];

    // aws-c-event-stream test_outgoing_application_one_compressed_header_pair_valid:
    // content-type: application/json (a string header) and payload {'foo':'bar'}.
    private static readonly byte[] OneStringHeader =
    [
        0x00, 0x00, 0x00, 0x3D, 0x00, 0x00, 0x00, 0x20, 0x07, 0xFD, 0x83, 0x96,
        0x0C, .. "content-type"u8, 0x07, 0x00, 0x10, .. "application/json"u8,
        0x7b, 0x27, 0x66, 0x6f, 0x6f, 0x27, 0x3a, 0x27, 0x62, 0x61, 0x72, 0x27, 0x7d,
        0x8D, 0x9C, 0x08, 0xB1,
    ];

    [Fact]
    public void An_empty_message_matches_the_aws_c_event_stream_vector()
    {
        Assert.Equal(EmptyMessage, Encode([], []));
    }

    [Fact]
    public void A_payload_without_headers_matches_the_aws_c_event_stream_vector()
    {
        Assert.Equal(PayloadOnly, Encode([], "{'foo':'bar'}"u8.ToArray()));
    }

    [Fact]
    public void A_string_header_and_payload_match_the_aws_c_event_stream_vector()
    {
        var headers = EventStreamEncoder.EncodeHeaders(("content-type", "application/json"));
        Assert.Equal(OneStringHeader, Encode(headers, "{'foo':'bar'}"u8.ToArray()));
    }

    [Fact]
    public void The_published_vectors_decode_to_their_headers_and_payloads()
    {
        var messages = EventStreamDecoder.ReadAll(EmptyMessage.Concat(PayloadOnly).Concat(OneStringHeader).ToArray());

        Assert.Equal(3, messages.Count);
        Assert.Empty(messages[0].Headers);
        Assert.Empty(messages[0].Payload);
        Assert.Equal("{'foo':'bar'}", Encoding.UTF8.GetString(messages[1].Payload));
        Assert.Equal("application/json", messages[2].Header("content-type"));
        Assert.Equal("{'foo':'bar'}", Encoding.UTF8.GetString(messages[2].Payload));
    }

    [Fact]
    public void Every_header_type_of_the_aws_sdk_go_all_headers_vector_decodes()
    {
        // aws-sdk-go private/protocol/eventstream/testdata/decoded/positive/all_headers, built here
        // byte by byte from its decoded form: lengths and prelude CRC are the vector's. (Its message
        // CRC is not reproduced: only the decoded form of that vector could be read, so the CRC is
        // not asserted; the aws-c-event-stream vectors above pin the whole-message CRC.)
        var headers = new List<byte>();
        void Header(string name, byte type, params byte[] value)
        {
            headers.Add((byte)name.Length);
            headers.AddRange(Encoding.UTF8.GetBytes(name));
            headers.Add(type);
            headers.AddRange(value);
        }

        byte[] Sized(byte[] bytes) => [(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes];
        Header("event-type", 4, 0x00, 0x00, 0xA0, 0x0C);
        Header("content-type", 7, Sized("application/json"u8.ToArray()));
        Header("bool false", 1);
        Header("bool true", 0);
        Header("byte", 2, 0xCF);
        Header("byte buf", 6, Sized("I'm a little teapot!"u8.ToArray()));
        Header("timestamp", 8, BigEndian(8675309));
        Header("int16", 3, 0x00, 0x2A);
        Header("int64", 5, BigEndian(42424242));
        Header("uuid", 9, [.. Enumerable.Range(0, 16).Select(i => (byte)i)]);

        var bytes = Encode([.. headers], "{'foo':'bar'}"u8.ToArray());

        Assert.Equal(204, bytes.Length);
        Assert.Equal(175u, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4)));
        Assert.Equal(263087306u, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8)));
        var message = Assert.Single(EventStreamDecoder.ReadAll(bytes));
        Assert.Equal(40972, message.Headers["event-type"]);
        Assert.Equal("application/json", message.Headers["content-type"]);
        Assert.Equal(false, message.Headers["bool false"]);
        Assert.Equal(true, message.Headers["bool true"]);
        Assert.Equal(unchecked((sbyte)0xCF), message.Headers["byte"]);
        Assert.Equal("I'm a little teapot!"u8.ToArray(), (byte[])message.Headers["byte buf"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(8675309), message.Headers["timestamp"]);
        Assert.Equal((short)42, message.Headers["int16"]);
        Assert.Equal(42424242L, message.Headers["int64"]);
        Assert.Equal(new Guid([.. Enumerable.Range(0, 16).Select(i => (byte)i)], bigEndian: true), message.Headers["uuid"]);
    }

    [Fact]
    public void Messages_round_trip_with_their_headers_and_any_payload()
    {
        var random = new Random(20131202);
        var output = new ArrayBufferWriter<byte>();
        var payloads = new List<byte[]>();
        var headers = EventStreamEncoder.EncodeHeaders((":message-type", "event"), (":event-type", "SubscribeToShardEvent"), (":content-type", "application/json"));
        foreach (var size in new[] { 0, 1, 100, 70_000, 1 << 20 })
        {
            var payload = new byte[size];
            random.NextBytes(payload);
            payloads.Add(payload);
            var written = EventStreamEncoder.Write(output, headers, payload);
            Assert.Equal(EventStreamEncoder.MessageSize(headers.Length, size), written);
        }

        var messages = EventStreamDecoder.ReadAll(output.WrittenMemory);

        Assert.Equal(payloads.Count, messages.Count);
        for (var i = 0; i < payloads.Count; i++)
        {
            Assert.Equal(payloads[i], messages[i].Payload);
            Assert.Equal("event", messages[i].Header(":message-type"));
            Assert.Equal("SubscribeToShardEvent", messages[i].Header(":event-type"));
            Assert.Equal("application/json", messages[i].Header(":content-type"));
        }
    }

    [Fact]
    public void A_message_split_anywhere_is_read_only_once_it_is_whole()
    {
        var bytes = OneStringHeader;
        for (var cut = 0; cut < bytes.Length; cut++)
        {
            var partial = new ReadOnlySequence<byte>(bytes.AsMemory(0, cut));
            Assert.False(EventStreamDecoder.TryRead(ref partial, out _));
            Assert.Equal(cut, partial.Length);
        }
    }

    [Fact]
    public void A_flipped_bit_anywhere_is_caught_by_a_CRC()
    {
        for (var i = 0; i < OneStringHeader.Length; i++)
        {
            var corrupt = OneStringHeader.ToArray();
            corrupt[i] ^= 0x10;
            Assert.Throws<EventStreamFormatException>(() => EventStreamDecoder.ReadAll(corrupt));
        }
    }

    [Fact]
    public void A_prelude_with_impossible_lengths_is_refused_even_with_a_good_CRC()
    {
        var prelude = new byte[EventStreamEncoder.PreludeSize];
        BinaryPrimitives.WriteUInt32BigEndian(prelude, 20);
        BinaryPrimitives.WriteUInt32BigEndian(prelude.AsSpan(4), 100);
        BinaryPrimitives.WriteUInt32BigEndian(prelude.AsSpan(8), Crc32.HashToUInt32(prelude.AsSpan(0, 8)));

        Assert.Throws<EventStreamFormatException>(() => EventStreamDecoder.ReadAll(prelude));
    }

    [Fact]
    public void Messages_over_16_MiB_are_refused_before_anything_is_written()
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => EventStreamEncoder.Write(output, [], new byte[EventStreamEncoder.MaxMessageBytes]));
        Assert.Equal(0, output.WrittenCount);
    }

    private static byte[] Encode(byte[] headers, byte[] payload)
    {
        var output = new ArrayBufferWriter<byte>();
        EventStreamEncoder.Write(output, headers, payload);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] BigEndian(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }
}
