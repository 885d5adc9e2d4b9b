using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Sluice.Schemas.Tests.Protobuf;

public sealed class ProtobufParseTests
{
    [Fact]
    public void Proto3_source_with_nested_messages_enums_oneofs_maps_and_a_well_known_import_parses()
    {
        var schema = ProtoSchemas.Parse(ProtoSchemas.Shop);

        Assert.Equal(SchemaType.Protobuf, schema.Type);
        Assert.Equal("shop.Order", schema.Name);
        Assert.Equal(ProtoSchemas.Shop, schema.Text);
        Assert.NotEmpty(schema.Canonical);
    }

    [Fact]
    public void Proto2_source_with_required_fields_and_groups_parses()
    {
        var schema = ProtoSchemas.Parse(ProtoSchemas.Legacy);

        Assert.Equal("legacy.Person", schema.Name);
    }

    [Fact]
    public void A_schema_without_a_package_names_its_first_message_plainly()
    {
        Assert.Equal("Ping", ProtoSchemas.Parse("syntax = \"proto3\"; message Ping { int32 n = 1; } message Pong { int32 n = 1; }").Name);
    }

    [Theory]
    [InlineData("google/protobuf/timestamp.proto", "google.protobuf.Timestamp")]
    [InlineData("google/protobuf/duration.proto", "google.protobuf.Duration")]
    [InlineData("google/protobuf/wrappers.proto", "google.protobuf.StringValue")]
    [InlineData("google/protobuf/struct.proto", "google.protobuf.Struct")]
    [InlineData("google/protobuf/any.proto", "google.protobuf.Any")]
    [InlineData("google/protobuf/empty.proto", "google.protobuf.Empty")]
    [InlineData("google/protobuf/field_mask.proto", "google.protobuf.FieldMask")]
    public void Well_known_type_imports_resolve(string import, string type)
    {
        var schema = ProtoSchemas.Parse($"syntax = \"proto3\"; package t; import \"{import}\"; message M {{ {type} value = 1; }}");

        Assert.Equal("t.M", schema.Name);
    }

    [Fact]
    public void The_base64_of_a_serialised_descriptor_parses_to_the_same_schema_as_its_source()
    {
        var fromSource = ProtoSchemas.Parse("syntax = \"proto3\";\npackage shop;\nmessage Order {\n  string order_id = 1;\n  int64 amount = 2;\n}\n");
        // As protoc writes it: its own file name, json_name filled in.
        var descriptor = new FileDescriptorProto
        {
            Name = "orders/order.proto",
            Package = "shop",
            Syntax = "proto3",
            MessageType =
            {
                new DescriptorProto
                {
                    Name = "Order",
                    Field =
                    {
                        new FieldDescriptorProto { Name = "order_id", Number = 1, Label = FieldDescriptorProto.Types.Label.Optional, Type = FieldDescriptorProto.Types.Type.String, JsonName = "orderId" },
                        new FieldDescriptorProto { Name = "amount", Number = 2, Label = FieldDescriptorProto.Types.Label.Optional, Type = FieldDescriptorProto.Types.Type.Int64, JsonName = "amount" },
                    },
                },
            },
        };

        var fromDescriptor = ProtoSchemas.Parse(descriptor.ToByteString().ToBase64());

        Assert.Equal("shop.Order", fromDescriptor.Name);
        Assert.Equal(fromSource.Canonical, fromDescriptor.Canonical);
    }

    [Fact]
    public void The_canonical_form_parses_back_to_itself()
    {
        var schema = ProtoSchemas.Parse(ProtoSchemas.Shop);

        var again = ProtoSchemas.Parse(schema.Canonical);

        Assert.Equal(schema.Canonical, again.Canonical);
        Assert.Equal(schema.Name, again.Name);
    }

    [Fact]
    public void A_syntax_error_is_reported_with_its_line_and_column()
    {
        var e = Assert.Throws<SchemaParseException>(() => ProtoSchemas.Parse("syntax = \"proto3\";\nmessage M {\n  string id = ;\n}\n"));

        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("column", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_field_type_is_a_parse_error()
    {
        var e = Assert.Throws<SchemaParseException>(() => ProtoSchemas.Parse("syntax = \"proto3\";\nmessage M {\n  Missing id = 1;\n}\n"));

        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_import_other_than_a_well_known_type_says_schema_references_are_not_supported()
    {
        var e = Assert.Throws<SchemaParseException>(() =>
            ProtoSchemas.Parse("syntax = \"proto3\"; import \"other/customer.proto\"; message M { string id = 1; }"));

        Assert.Contains("other/customer.proto", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not support schema references", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_descriptor_importing_another_file_is_refused_too()
    {
        var descriptor = new FileDescriptorProto { Name = "a.proto", Dependency = { "b.proto" }, MessageType = { new DescriptorProto { Name = "M" } } };

        var text = descriptor.ToByteString().ToBase64();
        var e = Assert.Throws<SchemaParseException>(() => ProtoSchemas.Parse(text));

        Assert.Contains("does not support schema references", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_descriptor_with_an_unresolved_type_is_a_parse_error()
    {
        var descriptor = new FileDescriptorProto
        {
            Name = "a.proto",
            Package = "x",
            MessageType =
            {
                new DescriptorProto
                {
                    Name = "M",
                    Field = { new FieldDescriptorProto { Name = "m", Number = 1, Type = FieldDescriptorProto.Types.Type.Message, TypeName = ".x.Missing" } },
                },
            },
        };
        var text = descriptor.ToByteString().ToBase64();

        var e = Assert.Throws<SchemaParseException>(() => ProtoSchemas.Parse(text));

        Assert.Contains("not valid", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("syntax = \"proto3\"; package x; enum E { A = 0; }")]
    [InlineData("syntax = \"proto3\"; package x;")]
    public void A_schema_without_a_message_is_a_parse_error(string text)
    {
        var e = Assert.Throws<SchemaParseException>(() => ProtoSchemas.Parse(text));

        Assert.Contains("no message", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("abcd")]
    [InlineData("{\"type\":\"record\"}")]
    public void Text_that_is_neither_proto_source_nor_a_descriptor_is_a_parse_error(string text) =>
        Assert.Throws<SchemaParseException>(() => ProtoSchemas.Parse(text));

    [Fact]
    public void One_character_deletions_either_parse_or_fail_with_a_parse_error()
    {
        // Every third position keeps the test quick while still cutting keywords, names, numbers and punctuation.
        for (var i = 0; i < ProtoSchemas.Shop.Length; i += 3)
        {
            var text = ProtoSchemas.Shop.Remove(i, 1);
            try
            {
                ProtoSchemas.Parse(text);
            }
            catch (SchemaParseException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
            }
        }
    }

    [Fact]
    public void Whitespace_and_comments_do_not_change_the_canonical_form()
    {
        var compact = ProtoSchemas.Parse("syntax=\"proto3\";package shop;message Order{string id=1;int64 amount=2;}");
        var spaced = ProtoSchemas.Parse("""
            // Orders.
            syntax = "proto3";

            package shop;

            /* The order. */
            message Order {
              string id = 1;     // its id
              int64 amount = 2;
            }
            """);

        Assert.Equal(compact.Canonical, spaced.Canonical);
    }

    [Theory]
    [InlineData("syntax=\"proto3\";package shop;message Order{string id=1;string amount=2;}")]
    [InlineData("syntax=\"proto3\";package shop;message Order{string id=1;int64 amount=3;}")]
    [InlineData("syntax=\"proto3\";package shop;message Order{string id=1;int64 total=2;}")]
    [InlineData("syntax=\"proto3\";package shop;message Order{string id=1;int64 amount=2;int32 n=4;}")]
    [InlineData("syntax=\"proto3\";package store;message Order{string id=1;int64 amount=2;}")]
    public void A_field_change_changes_the_canonical_form(string changed)
    {
        var original = ProtoSchemas.Parse("syntax=\"proto3\";package shop;message Order{string id=1;int64 amount=2;}");

        Assert.NotEqual(original.Canonical, ProtoSchemas.Parse(changed).Canonical);
    }
}
