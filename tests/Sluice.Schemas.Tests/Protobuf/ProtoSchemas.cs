using Google.Protobuf;

namespace Sluice.Schemas.Tests.Protobuf;

/// <summary>The schemas and hand-written wire payloads the Protobuf tests share (there are no generated classes for dynamic schemas).</summary>
internal static class ProtoSchemas
{
    public const string Shop = """
        syntax = "proto3";
        package shop;

        import "google/protobuf/timestamp.proto";

        // An order, as the shop writes it.
        message Order {
          string id = 1;
          int64 amount = 2;
          Customer customer = 3;
          repeated int32 quantities = 4;
          map<string, int64> labels = 5;
          Status status = 6;
          bytes blob = 7;
          google.protobuf.Timestamp placed_at = 8;
          oneof payment {
            string card = 9;
            string voucher = 10;
          }
          double price = 11;
          fixed32 checksum = 12;
          message Line {
            string sku = 1;
          }
          repeated Line lines = 13;
        }

        message Customer {
          string id = 1;
          string name = 2;
        }

        enum Status {
          UNKNOWN = 0;
          PAID = 1;
        }
        """;

    public const string Legacy = """
        syntax = "proto2";
        package legacy;

        message Person {
          required string name = 1;
          optional int32 age = 2;
          optional group Badge = 3 {
            optional int32 level = 1;
          }
        }
        """;

    public static ParsedSchema Parse(string text) => SchemaFormats.Parse(SchemaType.Protobuf, text);

    /// <summary>A message's bytes, written by <paramref name="write"/>.</summary>
    public static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return buffer.ToArray();
    }

    /// <summary>The payload: the message-index array (a lone 0 when no indexes are given) then the message.</summary>
    public static byte[] Payload(byte[] message, params int[] indexes)
    {
        var prefix = Message(output =>
        {
            output.WriteSInt32(indexes.Length);
            foreach (var index in indexes)
            {
                output.WriteSInt32(index);
            }
        });
        return [.. prefix, .. message];
    }

    public static byte[] Customer(string id, string name) => Message(o =>
    {
        o.WriteTag(1, WireFormat.WireType.LengthDelimited);
        o.WriteString(id);
        o.WriteTag(2, WireFormat.WireType.LengthDelimited);
        o.WriteString(name);
    });

    /// <summary>An order with every kind of field set.</summary>
    public static byte[] FullOrder() => Message(o =>
    {
        o.WriteTag(1, WireFormat.WireType.LengthDelimited);
        o.WriteString("o-1");
        o.WriteTag(2, WireFormat.WireType.Varint);
        o.WriteInt64(1234);
        o.WriteTag(3, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(Customer("c-1", "Ada")));
        o.WriteTag(4, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(Message(p =>
        {
            p.WriteInt32(1);
            p.WriteInt32(2);
            p.WriteInt32(300);
        })));
        o.WriteTag(5, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(Message(e =>
        {
            e.WriteTag(1, WireFormat.WireType.LengthDelimited);
            e.WriteString("vip");
            e.WriteTag(2, WireFormat.WireType.Varint);
            e.WriteInt64(7);
        })));
        o.WriteTag(6, WireFormat.WireType.Varint);
        o.WriteEnum(1);
        o.WriteTag(7, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(1, 2, 255));
        o.WriteTag(8, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = 1_700_000_000, Nanos = 500_000_000 }.ToByteString());
        o.WriteTag(9, WireFormat.WireType.LengthDelimited);
        o.WriteString("visa");
        o.WriteTag(11, WireFormat.WireType.Fixed64);
        o.WriteDouble(9.5);
        o.WriteTag(12, WireFormat.WireType.Fixed32);
        o.WriteFixed32(42);
        o.WriteTag(13, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(Message(l =>
        {
            l.WriteTag(1, WireFormat.WireType.LengthDelimited);
            l.WriteString("sku-1");
        })));
    });

    public const string FullOrderJson =
        """{"id":"o-1","amount":"1234","customer":{"id":"c-1","name":"Ada"},"quantities":[1,2,300],"labels":{"vip":"7"},"status":"PAID","blob":"AQL/","placedAt":"2023-11-14T22:13:20.500Z","card":"visa","price":9.5,"checksum":42,"lines":[{"sku":"sku-1"}]}""";
}

