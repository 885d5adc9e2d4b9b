using Sluice.Schemas.Json;

namespace Sluice.Schemas.Tests.Json;

public sealed class JsonSchemaParseTests
{
    private static readonly JsonSchemaFormat Format = new();

    [Theory]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}}}""")]
    [InlineData("""{"$schema":"http://json-schema.org/draft-07/schema#","type":"string"}""")]
    [InlineData("""{"$schema":"http://json-schema.org/draft-07/schema","type":"string"}""")]
    [InlineData("""{"$schema":"http://json-schema.org/draft-06/schema#","type":"string"}""")]
    [InlineData("""{"$schema":"https://json-schema.org/draft/2019-09/schema","type":"array","items":[{"type":"string"}]}""")]
    [InlineData("""{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array","prefixItems":[{"type":"string"}],"$defs":{"x":{"type":"integer"}}}""")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("""{"type":"object","connect.index":1,"javaType":"com.example.Thing"}""")]
    public void Valid_schemas_of_every_supported_draft_parse(string text)
    {
        var schema = Format.Parse(text);
        Assert.Equal(SchemaType.Json, schema.Type);
        Assert.Equal(text, schema.Text);
    }

    [Fact]
    public void The_format_is_registered_for_the_json_schema_type() =>
        Assert.IsType<JsonSchemaFormat>(SchemaFormats.For(SchemaType.Json));

    [Theory]
    [InlineData("{\"type\":", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    [InlineData("{\"type\":\"string\",\"type\":\"integer\"}", "Duplicate")]
    [InlineData("[1,2]", "not an array")]
    [InlineData("\"string\"", "not a string")]
    [InlineData("""{"type":"strin"}""", "#/type")]
    [InlineData("""{"properties":{"a":{"required":"x"}}}""", "#/properties/a/required")]
    [InlineData("""{"required":"x"}""", "#/required")]
    [InlineData("""{"minLength":-1}""", "#/minLength")]
    [InlineData("""{"pattern":"(("}""", "((")]
    [InlineData("""{"$schema":"http://json-schema.org/draft-03/schema#"}""", "does not support")]
    [InlineData("""{"$schema":"http://example.com/my-meta"}""", "http://example.com/my-meta")]
    [InlineData("""{"$schema":7}""", "$schema must be a string")]
    public void Invalid_schemas_are_refused_with_the_reason(string text, string expected)
    {
        var e = Assert.Throws<SchemaParseException>(() => Format.Parse(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"properties":{"a":{"$ref":"http://example.com/other.json"}}}""", "http://example.com/other.json", "#/properties/a")]
    [InlineData("""{"properties":{"a":{"$ref":"other.json#/definitions/x"}}}""", "other.json#/definitions/x", "#/properties/a")]
    [InlineData("""{"items":{"$ref":"#/definitions/missing"}}""", "#/definitions/missing", "#/items")]
    [InlineData("""{"$id":"http://example.com/a.json","properties":{"b":{"$ref":"b.json"}}}""", "b.json", "#/properties/b")]
    public void References_that_leave_the_document_are_refused(string text, string reference, string location)
    {
        var e = Assert.Throws<SchemaParseException>(() => Format.Parse(text));
        Assert.Contains(reference, e.Message, StringComparison.Ordinal);
        Assert.Contains(location, e.Message, StringComparison.Ordinal);
        Assert.Contains("does not support references to other schemas", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"definitions":{"n":{"type":"integer"}},"properties":{"a":{"$ref":"#/definitions/n"}}}""")]
    [InlineData("""{"$id":"http://example.com/a.json","definitions":{"n":{"type":"integer"}},"properties":{"a":{"$ref":"a.json#/definitions/n"},"b":{"$ref":"http://example.com/a.json#/definitions/n"}}}""")]
    [InlineData("""{"definitions":{"n":{"$id":"#node","type":"integer"}},"properties":{"a":{"$ref":"#node"}}}""")]
    [InlineData("""{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{"n":{"$anchor":"node","type":"integer"}},"properties":{"a":{"$ref":"#node"},"self":{"$ref":"#"}}}""")]
    [InlineData("""{"definitions":{"node":{"type":"object","properties":{"next":{"$ref":"#/definitions/node"}}}},"$ref":"#/definitions/node"}""")]
    public void Local_references_are_accepted(string text) =>
        Assert.NotNull(Format.Parse(text));

    [Theory]
    [InlineData("""{"definitions":{"a":{"$ref":"#/definitions/a"}},"$ref":"#/definitions/a"}""")]
    [InlineData("""{"$schema":"https://json-schema.org/draft/2020-12/schema","$ref":"#"}""")]
    [InlineData("""{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{"a":{"allOf":[{"$ref":"#/$defs/b"}]},"b":{"anyOf":[{"$ref":"#/$defs/a"}]}},"$ref":"#/$defs/a"}""")]
    [InlineData("""{"definitions":{"a":{"not":{"$ref":"#/definitions/a"}}},"properties":{"x":{"$ref":"#/definitions/a"}}}""")]
    public void Schemas_that_apply_themselves_to_the_same_value_forever_are_refused(string text)
    {
        var e = Assert.Throws<SchemaParseException>(() => Format.Parse(text));
        Assert.Contains("cycle", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_canonical_form_ignores_whitespace_and_key_order()
    {
        var a = Format.Parse("""{"type":"object","properties":{"b":{"type":"integer","minimum":1.50},"a":{"type":"string"}},"required":["b","a"]}""");
        var b = Format.Parse("""
            {
              "required": [ "b", "a" ],
              "properties": { "a": { "type": "string" }, "b": { "minimum": 1.50, "type": "integer" } },
              "type": "object"
            }
            """);

        Assert.Equal(a.Canonical, b.Canonical);
        Assert.Equal("""{"properties":{"a":{"type":"string"},"b":{"minimum":1.50,"type":"integer"}},"required":["b","a"],"type":"object"}""", a.Canonical);
    }

    [Fact]
    public void The_canonical_form_keeps_array_order()
    {
        var a = Format.Parse("""{"enum":["x","y"]}""");
        var b = Format.Parse("""{"enum":["y","x"]}""");
        Assert.NotEqual(a.Canonical, b.Canonical);
    }

    [Fact]
    public void The_name_is_the_title_or_json_schema()
    {
        Assert.Equal("Person", Format.Parse("""{"title":"Person","type":"object"}""").Name);
        Assert.Equal("JSON schema", Format.Parse("""{"type":"object"}""").Name);
        Assert.Equal("JSON schema", Format.Parse("true").Name);
    }

    [Fact]
    public void Two_schemas_may_share_an_id()
    {
        var a = Format.Parse("""{"$id":"http://example.com/person.json","type":"object"}""");
        var b = Format.Parse("""{"$id":"http://example.com/person.json","type":"string"}""");
        Assert.Null(a.ValidateJson("{}"u8));
        Assert.NotNull(a.ValidateJson("\"x\""u8));
        Assert.Null(b.ValidateJson("\"x\""u8));
        Assert.NotNull(b.ValidateJson("{}"u8));
    }
}
