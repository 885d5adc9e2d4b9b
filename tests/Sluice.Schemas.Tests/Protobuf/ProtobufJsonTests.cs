using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;

namespace Sluice.Schemas.Tests.Protobuf;

public sealed class ProtobufJsonTests
{
    private static readonly ParsedSchema Shop = ProtoSchemas.Parse(ProtoSchemas.Shop);

    private const string WellKnown = """
        syntax = "proto3";
        package wk;
        import "google/protobuf/timestamp.proto";
        import "google/protobuf/duration.proto";
        import "google/protobuf/wrappers.proto";
        import "google/protobuf/struct.proto";
        message Event {
          google.protobuf.Timestamp at = 1;
          google.protobuf.Duration took = 2;
          google.protobuf.Int64Value count = 3;
          google.protobuf.StringValue note = 4;
          google.protobuf.Struct extra = 5;
          uint64 big = 6;
          sint32 delta = 7;
          float ratio = 8;
          bool done = 9;
          map<int32, string> names = 10;
        }
        """;

    private static readonly ParsedSchema Events = ProtoSchemas.Parse(WellKnown);

    [Fact]
    public void A_full_order_decodes_to_the_proto3_json_mapping()
    {
        var json = Shop.DecodePayloadToJson(ProtoSchemas.Payload(ProtoSchemas.FullOrder()));

        Assert.Equal(ProtoSchemas.FullOrderJson, json);
    }

    [Fact]
    public void The_decoded_json_validates_against_the_schema()
    {
        var json = Shop.DecodePayloadToJson(ProtoSchemas.Payload(ProtoSchemas.FullOrder()));

        Assert.Null(Shop.ValidateJson(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Singular_fields_keep_the_last_value_and_a_oneof_its_last_member()
    {
        var message = ProtoSchemas.Message(o =>
        {
            o.WriteTag(2, WireFormat.WireType.Varint);
            o.WriteInt64(1);
            o.WriteTag(9, WireFormat.WireType.LengthDelimited);
            o.WriteString("visa");
            o.WriteTag(2, WireFormat.WireType.Varint);
            o.WriteInt64(-2);
            o.WriteTag(10, WireFormat.WireType.LengthDelimited);
            o.WriteString("SUMMER");
            o.WriteTag(6, WireFormat.WireType.Varint);
            o.WriteEnum(7);
        });

        Assert.Equal("""{"amount":"-2","status":7,"voucher":"SUMMER"}""", Shop.DecodePayloadToJson(ProtoSchemas.Payload(message)));
    }

    [Fact]
    public void Well_known_types_and_64_bit_integers_decode_in_their_json_forms()
    {
        var message = ProtoSchemas.Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = 0, Nanos = 1000 }.ToByteString());
            o.WriteTag(2, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(new Google.Protobuf.WellKnownTypes.Duration { Seconds = -1, Nanos = -500_000_000 }.ToByteString());
            o.WriteTag(3, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(new Google.Protobuf.WellKnownTypes.Int64Value { Value = 5 }.ToByteString());
            o.WriteTag(4, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(new Google.Protobuf.WellKnownTypes.StringValue { Value = "hi" }.ToByteString());
            o.WriteTag(5, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(Google.Protobuf.WellKnownTypes.Struct.Parser.ParseJson("""{"a":1,"b":[true,null,"x"]}""").ToByteString());
            o.WriteTag(6, WireFormat.WireType.Varint);
            o.WriteUInt64(ulong.MaxValue);
            o.WriteTag(7, WireFormat.WireType.Varint);
            o.WriteSInt32(-3);
            o.WriteTag(8, WireFormat.WireType.Fixed32);
            o.WriteFloat(0.1f);
            o.WriteTag(9, WireFormat.WireType.Varint);
            o.WriteBool(true);
            o.WriteTag(10, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(ProtoSchemas.Message(e =>
            {
                e.WriteTag(1, WireFormat.WireType.Varint);
                e.WriteInt32(-4);
                e.WriteTag(2, WireFormat.WireType.LengthDelimited);
                e.WriteString("four");
            })));
        });

        var json = Events.DecodePayloadToJson(ProtoSchemas.Payload(message));

        Assert.Equal(
            """{"at":"1970-01-01T00:00:00.000001Z","took":"-1.500s","count":"5","note":"hi","extra":{"a":1,"b":[true,null,"x"]},"big":"18446744073709551615","delta":-3,"ratio":0.1,"done":true,"names":{"-4":"four"}}""",
            json);
        Assert.Null(Events.ValidateJson(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Decoding_matches_google_protobufs_json_formatter_on_a_large_proto2_message()
    {
        // FileDescriptorProto has a generated class: its JSON from JsonFormatter is the reference for the decoder's.
        var schema = ProtoSchemas.Parse("syntax = \"proto3\"; package x; import \"google/protobuf/descriptor.proto\"; message W { google.protobuf.FileDescriptorProto file = 1; }");
        var descriptor = Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(Convert.FromBase64String(Shop.Canonical));
        var message = ProtoSchemas.Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(descriptor.ToByteString());
        });

        var decoded = JsonNode.Parse(schema.DecodePayloadToJson(ProtoSchemas.Payload(message)));
        var expected = JsonNode.Parse("{\"file\":" + JsonFormatter.Default.Format(descriptor) + "}");

        Assert.True(JsonNode.DeepEquals(expected, decoded), decoded!.ToJsonString());
    }

    [Fact]
    public void A_map_key_written_twice_keeps_its_last_value()
    {
        byte[] Entry(string key, long value) => ProtoSchemas.Message(e =>
        {
            e.WriteTag(1, WireFormat.WireType.LengthDelimited);
            e.WriteString(key);
            e.WriteTag(2, WireFormat.WireType.Varint);
            e.WriteInt64(value);
        });
        var message = ProtoSchemas.Message(o =>
        {
            foreach (var entry in new[] { Entry("a", 1), Entry("b", 2), Entry("a", 3) })
            {
                o.WriteTag(5, WireFormat.WireType.LengthDelimited);
                o.WriteBytes(ByteString.CopyFrom(entry));
            }
        });

        Assert.Equal("""{"labels":{"a":"3","b":"2"}}""", Shop.DecodePayloadToJson(ProtoSchemas.Payload(message)));
    }

    [Fact]
    public void An_out_of_range_timestamp_does_not_decode()
    {
        var message = ProtoSchemas.Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = long.MaxValue }.ToByteString());
        });

        Assert.Throws<FormatException>(() => Events.DecodePayloadToJson(ProtoSchemas.Payload(message)));
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"id":"o-1","amount":1234}""")]
    [InlineData("""{"amount":"-9223372036854775808"}""")]
    [InlineData("""{"customer":{"id":"c"},"status":1,"quantities":[1,"2"],"labels":{"a":"1"}}""")]
    [InlineData("""{"placed_at":"2024-02-29T12:00:00+01:00","blob":"AQL_","price":"NaN","checksum":4294967295}""")]
    [InlineData("""{"status":"UNKNOWN","customer":null,"lines":[{"sku":"a"}],"voucher":"X"}""")]
    [InlineData("""{"price":1e3,"amount":1.0e2}""")]
    public void Valid_proto3_json_is_accepted(string json) =>
        Assert.Null(Shop.ValidateJson(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("""{"nope":1}""", "$.nope")]
    [InlineData("""{"id":5}""", "$.id")]
    [InlineData("""{"amount":"12x"}""", "$.amount")]
    [InlineData("""{"amount":1.5}""", "$.amount")]
    [InlineData("""{"amount":"9223372036854775808"}""", "$.amount")]
    [InlineData("""{"checksum":-1}""", "$.checksum")]
    [InlineData("""{"customer":{"id":"c","age":3}}""", "$.customer.age")]
    [InlineData("""{"customer":"c-1"}""", "$.customer")]
    [InlineData("""{"status":"SHIPPED"}""", "$.status")]
    [InlineData("""{"quantities":5}""", "$.quantities")]
    [InlineData("""{"quantities":[1,null]}""", "$.quantities[1]")]
    [InlineData("""{"quantities":[1,2147483648]}""", "$.quantities[1]")]
    [InlineData("""{"labels":{"a":"x"}}""", "$.labels[\"a\"]")]
    [InlineData("""{"blob":"not base64!"}""", "$.blob")]
    [InlineData("""{"placedAt":"yesterday"}""", "$.placedAt")]
    [InlineData("""{"placedAt":"2024-02-30T00:00:00Z"}""", "$.placedAt")]
    [InlineData("""{"lines":[{"sku":1}]}""", "$.lines[0].sku")]
    [InlineData("""[1]""", "$")]
    [InlineData("""{"id":""", "$")]
    public void Invalid_json_names_the_path(string json, string path)
    {
        var violation = Shop.ValidateJson(Encoding.UTF8.GetBytes(json));

        Assert.NotNull(violation);
        Assert.StartsWith(path + ":", violation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"took":"1.5s","count":"7","note":"x","extra":{"k":[1]},"names":{"1":"a"}}""")]
    [InlineData("""{"took":"-315576000000s","count":7,"note":null}""")]
    public void Well_known_types_accept_their_json_forms(string json) =>
        Assert.Null(Events.ValidateJson(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("""{"took":"1.5"}""", "$.took")]
    [InlineData("""{"took":"315576000001s"}""", "$.took")]
    [InlineData("""{"count":"seven"}""", "$.count")]
    [InlineData("""{"extra":[1]}""", "$.extra")]
    [InlineData("""{"names":{"one":"a"}}""", "$.names[\"one\"]")]
    [InlineData("""{"big":-1}""", "$.big")]
    [InlineData("""{"done":"true"}""", "$.done")]
    public void Well_known_types_refuse_other_forms(string json, string path)
    {
        var violation = Events.ValidateJson(Encoding.UTF8.GetBytes(json));

        Assert.NotNull(violation);
        Assert.StartsWith(path + ":", violation, StringComparison.Ordinal);
    }
}
