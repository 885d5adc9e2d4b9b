namespace Sluice.Schemas.Tests.Protobuf;

public sealed class ProtobufCompatibilityTests
{
    private const string OrderV1 = """
        syntax = "proto3";
        package shop;
        message Order {
          string id = 1;
          int64 amount = 2;
        }
        """;

    private static ParsedSchema Schema(string messageBody, string package = "shop", string extra = "") =>
        ProtoSchemas.Parse($"syntax = \"proto3\";\npackage {package};\nmessage Order {{\n{messageBody}\n}}\n{extra}");

    private static IReadOnlyList<string> Check(CompatibilityLevel level, ParsedSchema candidate, params ParsedSchema[] previous) =>
        CompatibilityChecker.Check(level, candidate, previous.Select((schema, i) => (i + 1, schema)).ToList());

    private static void AssertCompatible(ParsedSchema previous, ParsedSchema candidate)
    {
        foreach (var level in Enum.GetValues<CompatibilityLevel>())
        {
            Assert.Empty(Check(level, candidate, previous));
        }
    }

    [Fact]
    public void Identical_schemas_are_compatible_at_every_level() =>
        AssertCompatible(ProtoSchemas.Parse(OrderV1), ProtoSchemas.Parse(OrderV1));

    [Fact]
    public void Adding_a_field_is_fully_compatible() =>
        AssertCompatible(ProtoSchemas.Parse(OrderV1), Schema("string id = 1; int64 amount = 2; string note = 3;"));

    [Fact]
    public void Removing_a_field_is_fully_compatible() =>
        AssertCompatible(ProtoSchemas.Parse(OrderV1), Schema("string id = 1;"));

    [Fact]
    public void Renaming_a_field_is_compatible_because_numbers_matter() =>
        AssertCompatible(ProtoSchemas.Parse(OrderV1), Schema("string order_id = 1; int64 total = 2;"));

    [Theory]
    [InlineData("int32")]
    [InlineData("uint64")]
    [InlineData("bool")]
    public void A_wire_compatible_type_change_is_fully_compatible(string type) =>
        AssertCompatible(ProtoSchemas.Parse(OrderV1), Schema($"string id = 1; {type} amount = 2;"));

    [Fact]
    public void String_and_bytes_read_as_each_other() =>
        AssertCompatible(ProtoSchemas.Parse(OrderV1), Schema("bytes id = 1; int64 amount = 2;"));

    [Fact]
    public void An_incompatible_type_change_fails_both_ways_naming_the_field()
    {
        var candidate = Schema("string id = 1; string amount = 2;");

        var backward = Check(CompatibilityLevel.Backward, candidate, ProtoSchemas.Parse(OrderV1));
        var reason = Assert.Single(backward);
        Assert.Contains("message 'shop.Order' field 2 ('amount'): scalar type changed from int64 to string", reason, StringComparison.Ordinal);
        Assert.StartsWith("backward", reason, StringComparison.Ordinal);

        var forward = Assert.Single(Check(CompatibilityLevel.Forward, candidate, ProtoSchemas.Parse(OrderV1)));
        Assert.Contains("scalar type changed from string to int64", forward, StringComparison.Ordinal);
        Assert.Equal(2, Check(CompatibilityLevel.Full, candidate, ProtoSchemas.Parse(OrderV1)).Count);
        Assert.Empty(Check(CompatibilityLevel.None, candidate, ProtoSchemas.Parse(OrderV1)));
    }

    [Theory]
    [InlineData("sint64")]
    [InlineData("fixed64")]
    [InlineData("double")]
    public void Numbers_with_other_encodings_are_incompatible(string type)
    {
        var reason = Assert.Single(Check(CompatibilityLevel.Backward, Schema($"string id = 1; {type} amount = 2;"), ProtoSchemas.Parse(OrderV1)));

        Assert.Contains($"field 2 ('amount'): scalar type changed from int64 to {type}", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_a_field_number_is_a_removal_and_an_addition_so_compatible() =>
        AssertCompatible(ProtoSchemas.Parse(OrderV1), Schema("string id = 1; int64 amount = 3;"));

    [Fact]
    public void Swapping_two_field_numbers_is_incompatible_at_both_numbers()
    {
        var reasons = Check(CompatibilityLevel.Backward, Schema("int64 amount = 1; string id = 2;"), ProtoSchemas.Parse(OrderV1));

        Assert.Equal(2, reasons.Count);
        Assert.Contains("field 1 ('id')", reasons[0], StringComparison.Ordinal);
        Assert.Contains("field 2 ('amount')", reasons[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Removing_a_message_breaks_backward_but_not_forward()
    {
        var previous = Schema("string id = 1;", extra: "message Customer { string id = 1; }");
        var candidate = Schema("string id = 1;");

        var reason = Assert.Single(Check(CompatibilityLevel.Backward, candidate, previous));
        Assert.Contains("message 'shop.Customer' is in the writer's schema but missing from the reader's", reason, StringComparison.Ordinal);
        Assert.Empty(Check(CompatibilityLevel.Forward, candidate, previous));
        Assert.Single(Check(CompatibilityLevel.Full, candidate, previous));
    }

    [Fact]
    public void Moving_several_fields_into_one_oneof_is_incompatible()
    {
        var previous = Schema("string card = 1; string voucher = 2;");
        var candidate = Schema("oneof payment { string card = 1; string voucher = 2; }");

        var reason = Assert.Single(Check(CompatibilityLevel.Backward, candidate, previous));
        Assert.Contains("message 'shop.Order' oneof 'payment': fields 1 ('card'), 2 ('voucher')", reason, StringComparison.Ordinal);
        Assert.Empty(Check(CompatibilityLevel.Forward, candidate, previous));
    }

    [Fact]
    public void Moving_one_field_into_a_new_oneof_is_compatible() =>
        AssertCompatible(Schema("string card = 1; string note = 3;"), Schema("oneof payment { string card = 1; string voucher = 2; } string note = 3;"));

    [Fact]
    public void Moving_a_field_into_an_existing_oneof_is_incompatible()
    {
        var previous = Schema("string card = 1; oneof payment { string voucher = 2; }");
        var candidate = Schema("oneof payment { string card = 1; string voucher = 2; }");

        var reason = Assert.Single(Check(CompatibilityLevel.Backward, candidate, previous));
        Assert.Contains("oneof 'payment': field 1 ('card') moved into a oneof", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Removing_a_field_from_a_oneof_is_incompatible_but_adding_one_is_not()
    {
        var two = Schema("oneof payment { string card = 1; string voucher = 2; }");
        var one = Schema("oneof payment { string card = 1; }");

        var reason = Assert.Single(Check(CompatibilityLevel.Backward, one, two));
        Assert.Contains("field 2 ('voucher'): removed from oneof 'payment'", reason, StringComparison.Ordinal);
        Assert.Empty(Check(CompatibilityLevel.Backward, two, one));
    }

    [Fact]
    public void A_changed_package_is_incompatible()
    {
        var reasons = Check(CompatibilityLevel.Full, Schema("string id = 1; int64 amount = 2;", package: "store"), ProtoSchemas.Parse(OrderV1));

        Assert.Equal(2, reasons.Count);
        Assert.All(reasons, r => Assert.Contains("package", r, StringComparison.Ordinal));
    }

    [Fact]
    public void Backward_checks_the_latest_version_only_and_backward_transitive_every_version()
    {
        var v1 = ProtoSchemas.Parse(OrderV1);
        var v2 = Schema("string id = 1;");
        var v3 = Schema("string id = 1; string amount = 2;");

        Assert.Empty(Check(CompatibilityLevel.Backward, v3, v1, v2));
        var reason = Assert.Single(Check(CompatibilityLevel.BackwardTransitive, v3, v1, v2));
        Assert.Contains("version 1", reason, StringComparison.Ordinal);
        Assert.Contains("field 2 ('amount'): scalar type changed from int64 to string", reason, StringComparison.Ordinal);
        Assert.Single(Check(CompatibilityLevel.ForwardTransitive, v3, v1, v2));
        Assert.Equal(2, Check(CompatibilityLevel.FullTransitive, v3, v1, v2).Count);
    }

    [Fact]
    public void Enum_constants_may_be_added_and_removed()
    {
        var previous = Schema("Status status = 1;", extra: "enum Status { UNKNOWN = 0; PAID = 1; }");
        var candidate = Schema("Status status = 1;", extra: "enum Status { UNKNOWN = 0; SHIPPED = 2; }");

        AssertCompatible(previous, candidate);
    }

    [Fact]
    public void An_enum_reads_as_an_int32_but_not_as_a_string()
    {
        var asEnum = Schema("Status status = 1;", extra: "enum Status { UNKNOWN = 0; PAID = 1; }");

        AssertCompatible(asEnum, Schema("int32 status = 1;"));
        var reason = Assert.Single(Check(CompatibilityLevel.Backward, Schema("string status = 1;"), asEnum));
        Assert.Contains("field 1 ('status'): scalar type changed from enum shop.Status to string", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_a_fields_message_type_is_incompatible()
    {
        const string types = "message Customer { string id = 1; } message Address { string id = 1; }";
        var previous = Schema("Customer who = 1;", extra: types);
        var candidate = Schema("Address who = 1;", extra: types);

        var reason = Assert.Single(Check(CompatibilityLevel.Backward, candidate, previous));
        Assert.Contains("field 1 ('who'): message type changed from 'shop.Customer' to 'shop.Address'", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_a_scalar_to_a_message_is_a_kind_change()
    {
        var reason = Assert.Single(Check(CompatibilityLevel.Backward, Schema("Customer id = 1;", extra: "message Customer { string id = 1; }"), Schema("string id = 1;")));

        Assert.Contains("field 1 ('id'): kind changed from scalar string to message 'shop.Customer'", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_change_inside_a_nested_message_names_that_message()
    {
        var previous = Schema("Line line = 1; message Line { int64 qty = 1; }");
        var candidate = Schema("Line line = 1; message Line { string qty = 1; }");

        var reason = Assert.Single(Check(CompatibilityLevel.Backward, candidate, previous));
        Assert.Contains("message 'shop.Order.Line' field 1 ('qty'): scalar type changed from int64 to string", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_map_value_type_change_is_incompatible_and_a_compatible_one_is_not()
    {
        var previous = Schema("map<string, int64> labels = 1;");

        var reason = Assert.Single(Check(CompatibilityLevel.Backward, Schema("map<string, string> labels = 1;"), previous));
        Assert.Contains("field 1 ('labels'): the map's value type changed from int64 to string", reason, StringComparison.Ordinal);
        AssertCompatible(previous, Schema("map<string, int32> labels = 1;"));
        Assert.Single(Check(CompatibilityLevel.Backward, Schema("repeated string labels = 1;"), previous));
    }

    [Fact]
    public void A_numeric_field_cannot_become_repeated_but_a_string_can()
    {
        var reason = Assert.Single(Check(CompatibilityLevel.Backward, Schema("string id = 1; repeated int64 amount = 2;"), ProtoSchemas.Parse(OrderV1)));
        Assert.Contains("field 2 ('amount'): label changed from optional to repeated", reason, StringComparison.Ordinal);

        AssertCompatible(ProtoSchemas.Parse(OrderV1), Schema("repeated string id = 1; int64 amount = 2;"));
    }

    [Fact]
    public void Proto2_required_fields_may_be_neither_added_nor_removed()
    {
        var optional = ProtoSchemas.Parse("syntax = \"proto2\"; package p; message M { optional string id = 1; }");
        var withRequired = ProtoSchemas.Parse("syntax = \"proto2\"; package p; message M { optional string id = 1; required int32 n = 2; }");
        var withOptional = ProtoSchemas.Parse("syntax = \"proto2\"; package p; message M { optional string id = 1; optional int32 n = 2; }");

        var added = Assert.Single(Check(CompatibilityLevel.Backward, withRequired, optional));
        Assert.Contains("message 'p.M' field 2 ('n'): required by the reader's schema but missing from the writer's", added, StringComparison.Ordinal);
        var removed = Assert.Single(Check(CompatibilityLevel.Forward, withRequired, optional));
        Assert.Contains("field 2 ('n'): required in the writer's schema but missing from the reader's", removed, StringComparison.Ordinal);
        AssertCompatible(optional, withOptional);
    }

    [Fact]
    public void Adding_messages_and_reordering_them_is_compatible()
    {
        var previous = Schema("string id = 1;", extra: "message Customer { string id = 1; }");
        var candidate = ProtoSchemas.Parse("syntax = \"proto3\"; package shop; message Refund { string id = 1; } message Customer { string id = 1; } message Order { string id = 1; }");

        Assert.Empty(Check(CompatibilityLevel.Backward, candidate, previous));
    }

    [Fact]
    public void Proto3_optional_fields_are_not_treated_as_oneofs()
    {
        AssertCompatible(ProtoSchemas.Parse(OrderV1), Schema("optional string id = 1; optional int64 amount = 2;"));
    }

    [Fact]
    public void Changing_the_syntax_alone_is_compatible_as_in_Confluent()
    {
        var proto2 = ProtoSchemas.Parse("syntax = \"proto2\"; package shop; message Order { optional string id = 1; optional int64 amount = 2; }");

        AssertCompatible(proto2, ProtoSchemas.Parse(OrderV1));
        AssertCompatible(ProtoSchemas.Parse(OrderV1), proto2);
    }

    [Fact]
    public void A_schema_of_another_format_cannot_be_compared_directly()
    {
        var format = SchemaFormats.For(SchemaType.Protobuf);
        var other = new ForeignSchema();

        Assert.Throws<ArgumentException>(() => format.CanRead(other, ProtoSchemas.Parse(OrderV1)));
    }

    private sealed class ForeignSchema : ParsedSchema
    {
        public ForeignSchema()
            : base("{}")
        {
        }

        public override SchemaType Type => SchemaType.Protobuf;

        public override string Canonical => "{}";

        public override string Name => "foreign";

        public override string? ValidatePayload(ReadOnlySpan<byte> payload) => null;

        public override string? ValidateJson(ReadOnlySpan<byte> utf8Json) => null;

        public override string DecodePayloadToJson(ReadOnlySpan<byte> payload) => "{}";
    }
}
