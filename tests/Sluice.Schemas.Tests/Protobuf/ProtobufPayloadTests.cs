using Google.Protobuf;

namespace Sluice.Schemas.Tests.Protobuf;

public sealed class ProtobufPayloadTests
{
    private static readonly ParsedSchema Shop = ProtoSchemas.Parse(ProtoSchemas.Shop);
    private static readonly ParsedSchema Legacy = ProtoSchemas.Parse(ProtoSchemas.Legacy);

    [Fact]
    public void A_full_order_with_the_short_index_array_is_valid()
    {
        var payload = ProtoSchemas.Payload(ProtoSchemas.FullOrder());

        Assert.Equal(0, payload[0]);
        Assert.Null(Shop.ValidatePayload(payload));
    }

    [Fact]
    public void Validating_a_valid_record_allocates_nothing()
    {
        var payload = ProtoSchemas.Payload(ProtoSchemas.FullOrder());
        Assert.Null(Shop.ValidatePayload(payload));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Shop.ValidatePayload(payload);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void The_explicit_index_array_for_the_first_message_is_valid_too()
    {
        Assert.Null(Shop.ValidatePayload(ProtoSchemas.Payload(ProtoSchemas.FullOrder(), 0)));
    }

    [Fact]
    public void An_empty_message_is_valid_in_proto3()
    {
        Assert.Null(Shop.ValidatePayload([0]));
    }

    [Fact]
    public void Index_1_selects_the_second_top_level_message()
    {
        var customer = ProtoSchemas.Payload(ProtoSchemas.Customer("c-1", "Ada"), 1);

        Assert.Null(Shop.ValidatePayload(customer));
        Assert.Equal("""{"id":"c-1","name":"Ada"}""", Shop.DecodePayloadToJson(customer));
    }

    [Fact]
    public void Index_1_checks_against_the_second_message_not_the_first()
    {
        // Field 2 is a string in Customer but an int64 in Order.
        var message = ProtoSchemas.Message(o =>
        {
            o.WriteTag(2, WireFormat.WireType.Varint);
            o.WriteInt64(5);
        });

        Assert.Null(Shop.ValidatePayload(ProtoSchemas.Payload(message)));
        var violation = Shop.ValidatePayload(ProtoSchemas.Payload(message, 1));
        Assert.NotNull(violation);
        Assert.StartsWith("$.name:", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Index_0_0_selects_the_first_nested_message_skipping_map_entries()
    {
        var line = ProtoSchemas.Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString("sku-9");
        });
        var payload = ProtoSchemas.Payload(line, 0, 0);

        Assert.Null(Shop.ValidatePayload(payload));
        Assert.Equal("""{"sku":"sku-9"}""", Shop.DecodePayloadToJson(payload));
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0x02, 0x80 })]
    [InlineData(new byte[] { 0x02, 0x04 })]
    [InlineData(new byte[] { 0x04, 0x00, 0x02 })]
    [InlineData(new byte[] { 0x01, 0x00 })]
    [InlineData(new byte[] { 0x02, 0x01 })]
    [InlineData(new byte[] { 0xC8, 0x01 })]
    public void A_bad_message_index_array_is_a_violation(byte[] payload)
    {
        var violation = Shop.ValidatePayload(payload);

        Assert.NotNull(violation);
        Assert.StartsWith("$:", violation, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => Shop.DecodePayloadToJson(payload));
    }

    [Fact]
    public void Every_truncation_of_a_full_order_is_judged_without_throwing()
    {
        var payload = ProtoSchemas.Payload(ProtoSchemas.FullOrder());
        for (var length = 0; length < payload.Length; length++)
        {
            var violation = Shop.ValidatePayload(payload.AsSpan(0, length));
            if (violation is not null)
            {
                Assert.StartsWith("$", violation, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Every_truncation_inside_a_field_is_a_violation()
    {
        // One field only, so every cut but the empty message falls inside it.
        var message = ProtoSchemas.Message(o =>
        {
            o.WriteTag(3, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(ProtoSchemas.Customer("c-1", "Ada Lovelace")));
        });
        var payload = ProtoSchemas.Payload(message);
        Assert.Null(Shop.ValidatePayload(payload));

        Assert.NotNull(Shop.ValidatePayload(payload.AsSpan(0, 0)));
        for (var length = 2; length < payload.Length; length++)
        {
            Assert.NotNull(Shop.ValidatePayload(payload.AsSpan(0, length)));
        }
    }

    [Fact]
    public void A_truncated_length_inside_a_nested_message_names_the_nested_path()
    {
        var customer = ProtoSchemas.Customer("c-1", "Ada");
        var message = ProtoSchemas.Message(o =>
        {
            o.WriteTag(3, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(customer[..^1]));
        });

        var violation = Shop.ValidatePayload(ProtoSchemas.Payload(message));

        Assert.NotNull(violation);
        Assert.StartsWith("$.customer.name:", violation, StringComparison.Ordinal);
        Assert.Contains("exceeds", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_wire_type_names_the_field_and_both_wire_types()
    {
        var message = ProtoSchemas.Message(o =>
        {
            o.WriteTag(2, WireFormat.WireType.LengthDelimited);
            o.WriteString("1234");
        });

        var violation = Shop.ValidatePayload(ProtoSchemas.Payload(message));

        Assert.NotNull(violation);
        Assert.StartsWith("$.amount:", violation, StringComparison.Ordinal);
        Assert.Contains("int64", violation, StringComparison.Ordinal);
        Assert.Contains("length-delimited (2)", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_scalars_may_be_packed_or_not()
    {
        var unpacked = ProtoSchemas.Message(o =>
        {
            o.WriteTag(4, WireFormat.WireType.Varint);
            o.WriteInt32(1);
            o.WriteTag(4, WireFormat.WireType.Varint);
            o.WriteInt32(2);
        });
        var payload = ProtoSchemas.Payload(unpacked);

        Assert.Null(Shop.ValidatePayload(payload));
        Assert.Equal("""{"quantities":[1,2]}""", Shop.DecodePayloadToJson(payload));
    }

    [Fact]
    public void A_packed_run_with_a_broken_varint_is_a_violation()
    {
        var message = ProtoSchemas.Message(o =>
        {
            o.WriteTag(4, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(1, 0x80));
        });

        var violation = Shop.ValidatePayload(ProtoSchemas.Payload(message));

        Assert.NotNull(violation);
        Assert.StartsWith("$.quantities:", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_in_a_proto3_string_is_a_violation()
    {
        var message = ProtoSchemas.Message(o =>
        {
            o.WriteTag(3, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(ProtoSchemas.Message(c =>
            {
                c.WriteTag(2, WireFormat.WireType.LengthDelimited);
                c.WriteBytes(ByteString.CopyFrom(0xC3, 0x28));
            })));
        });

        var violation = Shop.ValidatePayload(ProtoSchemas.Payload(message));

        Assert.Equal("$.customer.name: the string is not valid UTF-8.", violation);
    }

    [Fact]
    public void Bytes_fields_take_any_bytes()
    {
        var message = ProtoSchemas.Message(o =>
        {
            o.WriteTag(7, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(0xC3, 0x28));
        });

        Assert.Null(Shop.ValidatePayload(ProtoSchemas.Payload(message)));
    }

    [Fact]
    public void Trailing_garbage_is_a_violation()
    {
        byte[] payload = [.. ProtoSchemas.Payload(ProtoSchemas.FullOrder()), 0xFF];

        Assert.NotNull(Shop.ValidatePayload(payload));
        Assert.Throws<FormatException>(() => Shop.DecodePayloadToJson(payload));
    }

    [Fact]
    public void A_dangling_tag_at_the_end_is_a_violation()
    {
        byte[] payload = [.. ProtoSchemas.Payload(ProtoSchemas.FullOrder()), 0x10];

        var violation = Shop.ValidatePayload(payload);

        Assert.NotNull(violation);
        Assert.StartsWith("$.amount:", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fields_of_every_wire_type_are_skipped()
    {
        var message = ProtoSchemas.Message(o =>
        {
            o.WriteTag(99, WireFormat.WireType.Varint);
            o.WriteUInt64(ulong.MaxValue);
            o.WriteTag(98, WireFormat.WireType.LengthDelimited);
            o.WriteString("later field");
            o.WriteTag(97, WireFormat.WireType.Fixed32);
            o.WriteFixed32(1);
            o.WriteTag(96, WireFormat.WireType.Fixed64);
            o.WriteFixed64(2);
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString("o-1");
        });
        var payload = ProtoSchemas.Payload(message);

        Assert.Null(Shop.ValidatePayload(payload));
        Assert.Equal("""{"id":"o-1"}""", Shop.DecodePayloadToJson(payload));
    }

    [Fact]
    public void An_unknown_group_is_a_violation()
    {
        var message = ProtoSchemas.Message(o =>
        {
            o.WriteTag(50, WireFormat.WireType.StartGroup);
            o.WriteTag(50, WireFormat.WireType.EndGroup);
        });

        var violation = Shop.ValidatePayload(ProtoSchemas.Payload(message));

        Assert.NotNull(violation);
        Assert.Contains("group", violation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x00 })]
    [InlineData(new byte[] { 0x0F })]
    [InlineData(new byte[] { 0x0E })]
    [InlineData(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    [InlineData(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02 })]
    [InlineData(new byte[] { 0x62, 0x01, 0x02 })]
    [InlineData(new byte[] { 0x5D, 0x01, 0x02 })]
    [InlineData(new byte[] { 0x0C })]
    public void Malformed_wire_data_is_a_violation(byte[] message)
    {
        var payload = ProtoSchemas.Payload(message);

        Assert.NotNull(Shop.ValidatePayload(payload));
        Assert.Throws<FormatException>(() => Shop.DecodePayloadToJson(payload));
    }

    [Fact]
    public void Messages_nested_deeper_than_the_limit_are_a_violation()
    {
        var schema = ProtoSchemas.Parse("syntax = \"proto3\"; message Node { Node child = 1; }");
        byte[] Nest(int depth)
        {
            var bytes = Array.Empty<byte>();
            for (var i = 0; i < depth; i++)
            {
                var inner = bytes;
                bytes = ProtoSchemas.Message(o =>
                {
                    o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    o.WriteBytes(ByteString.CopyFrom(inner));
                });
            }

            return bytes;
        }

        Assert.Null(schema.ValidatePayload(ProtoSchemas.Payload(Nest(50))));
        var violation = schema.ValidatePayload(ProtoSchemas.Payload(Nest(150)));
        Assert.NotNull(violation);
        Assert.Contains("nested more than 100", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_proto2_required_field_is_a_violation()
    {
        var message = ProtoSchemas.Message(o =>
        {
            o.WriteTag(2, WireFormat.WireType.Varint);
            o.WriteInt32(36);
        });

        Assert.Equal("$.name: the required field is missing.", Legacy.ValidatePayload(ProtoSchemas.Payload(message)));
    }

    [Fact]
    public void Proto2_groups_and_non_utf8_strings_are_valid_and_decode()
    {
        var message = ProtoSchemas.Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString("Ada");
            o.WriteTag(3, WireFormat.WireType.StartGroup);
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteInt32(5);
            o.WriteTag(3, WireFormat.WireType.EndGroup);
            o.WriteTag(2, WireFormat.WireType.Varint);
            o.WriteInt32(36);
        });
        var payload = ProtoSchemas.Payload(message);

        Assert.Null(Legacy.ValidatePayload(payload));
        var json = Legacy.DecodePayloadToJson(payload);
        Assert.Contains("\"name\":\"Ada\"", json, StringComparison.Ordinal);
        Assert.Contains("\"age\":36", json, StringComparison.Ordinal);
        Assert.Contains(":{\"level\":5}", json, StringComparison.Ordinal);

        var latin1 = ProtoSchemas.Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(0xE9));
        });
        Assert.Null(Legacy.ValidatePayload(ProtoSchemas.Payload(latin1)));
    }

    [Fact]
    public void An_unterminated_group_is_a_violation()
    {
        var message = ProtoSchemas.Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString("Ada");
            o.WriteTag(3, WireFormat.WireType.StartGroup);
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteInt32(5);
        });

        var violation = Legacy.ValidatePayload(ProtoSchemas.Payload(message));

        Assert.NotNull(violation);
        Assert.Contains("end-group", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_never_throw_from_validation()
    {
        var random = new Random(20261125);
        var buffer = new byte[64];
        for (var i = 0; i < 5000; i++)
        {
            random.NextBytes(buffer);
            buffer[0] = 0;
            var length = random.Next(buffer.Length);
            var violation = Shop.ValidatePayload(buffer.AsSpan(0, length));
            if (violation is null)
            {
                Shop.DecodePayloadToJson(buffer.AsSpan(0, length));
            }
        }
    }
}
