using Sluice.Schemas.Avro;

namespace Sluice.Schemas.Tests.Avro;

public sealed class AvroParseTests
{
    private static readonly AvroFormat Format = new();

    [Theory]
    [InlineData("\"string\"", "string")]
    [InlineData("{\"type\":\"int\"}", "int")]
    [InlineData("{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}", "long")]
    [InlineData("{\"type\":\"string\",\"logicalType\":\"uuid\"}", "string")]
    [InlineData("{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":9,\"scale\":2}", "bytes")]
    [InlineData("{\"type\":\"enum\",\"name\":\"Suit\",\"namespace\":\"cards\",\"symbols\":[\"SPADES\",\"HEARTS\"],\"default\":\"SPADES\"}", "cards.Suit")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"md5\",\"size\":16}", "md5")]
    [InlineData("{\"type\":\"array\",\"items\":\"string\"}", "array")]
    [InlineData("{\"type\":\"map\",\"values\":\"long\"}", "map")]
    [InlineData("[\"null\",\"string\"]", "union")]
    [InlineData(AvroTestData.UserSchema, "com.acme.User")]
    [InlineData(AvroTestData.LinkedListSchema, "Node")]
    public void ValidSchemasParseWithTheirName(string text, string name)
    {
        var schema = Format.Parse(text);

        Assert.Equal(SchemaType.Avro, schema.Type);
        Assert.Equal(name, schema.Name);
        Assert.Equal(text, schema.Text);
    }

    [Fact]
    public void SchemaFormatsServesAvro() =>
        Assert.Equal("com.acme.User", SchemaFormats.Parse(SchemaType.Avro, AvroTestData.UserSchema).Name);

    [Fact]
    public void NestedTypesTakeTheEnclosingNamespaceAndResolveByShortName()
    {
        var schema = AvroTestData.Parse("""
            {"type":"record","name":"Outer","namespace":"a.b","fields":[
              {"name":"x","type":{"type":"record","name":"Inner","fields":[]}},
              {"name":"y","type":"Inner"},
              {"name":"z","type":"a.b.Inner"}
            ]}
            """);

        Assert.Equal("a.b.Inner", schema.Root.Fields[0].Type.FullName);
        Assert.Same(schema.Root.Fields[0].Type, schema.Root.Fields[1].Type);
        Assert.Same(schema.Root.Fields[0].Type, schema.Root.Fields[2].Type);
    }

    [Theory]
    [InlineData("{", "JSON")]
    [InlineData("{\"type\":\"record\",\"name\":\"A\",\"fields\":[}", "")]
    [InlineData("", "")]
    [InlineData("{\"type\":\"strin\"}", "strin")]
    [InlineData("{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"f\",\"type\":\"Missing\"}]}", "Missing")]
    [InlineData("{\"type\":\"record\",\"name\":\"A\"}", "fields")]
    [InlineData("{\"type\":\"array\"}", "items")]
    [InlineData("42", "")]
    public void MalformedSchemasAreRefused(string text, string mentioned)
    {
        var e = Assert.Throws<SchemaParseException>(() => Format.Parse(text));

        Assert.StartsWith("Invalid Avro schema", e.Message, StringComparison.Ordinal);
        Assert.Contains(mentioned, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"name\":\"n\",\"type\":\"int\",\"default\":\"x\"}", "'n'")]
    [InlineData("{\"name\":\"n\",\"type\":\"int\",\"default\":3000000000}", "out of range")]
    [InlineData("{\"name\":\"n\",\"type\":\"long\",\"default\":1.5}", "expected a long, got the non-integral number 1.5")]
    [InlineData("{\"name\":\"n\",\"type\":\"int\",\"default\":1.0}", "a default of int is an integer literal, not 1.0")]
    [InlineData("{\"name\":\"n\",\"type\":\"long\",\"default\":1e30}", "1e30 is out of range for a long")]
    [InlineData("{\"name\":\"n\",\"type\":\"string\",\"default\":null}", "'n'")]
    [InlineData("{\"name\":\"n\",\"type\":\"boolean\",\"default\":0}", "'n'")]
    [InlineData("{\"name\":\"n\",\"type\":[\"null\",\"string\"],\"default\":\"a\"}", "first branch")]
    [InlineData("{\"name\":\"n\",\"type\":[\"string\",\"null\"],\"default\":null}", "first branch")]
    [InlineData("{\"name\":\"n\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]},\"default\":\"B\"}", "'B'")]
    [InlineData("{\"name\":\"n\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":2},\"default\":\"abc\"}", "2 bytes")]
    [InlineData("{\"name\":\"n\",\"type\":\"bytes\",\"default\":\"\\u0100\"}", "0-255")]
    [InlineData("{\"name\":\"n\",\"type\":{\"type\":\"array\",\"items\":\"int\"},\"default\":[1,\"2\"]}", "$[1]")]
    [InlineData("{\"name\":\"n\",\"type\":{\"type\":\"map\",\"values\":\"int\"},\"default\":{\"k\":true}}", "k")]
    [InlineData("{\"name\":\"n\",\"type\":{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"r\",\"type\":\"int\"}]},\"default\":{}}", "'r'")]
    public void DefaultsThatDoNotMatchTheirTypeAreRefused(string field, string mentioned)
    {
        var text = $$"""{"type":"record","name":"A","fields":[{"name":"ok","type":"int"},{{field}}]}""";

        var e = Assert.Throws<SchemaParseException>(() => Format.Parse(text));

        Assert.Contains("default", e.Message, StringComparison.Ordinal);
        Assert.Contains("/fields/1", e.Message, StringComparison.Ordinal);
        Assert.Contains(mentioned, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"name\":\"n\",\"type\":\"int\",\"default\":7}")]
    [InlineData("{\"name\":\"n\",\"type\":\"double\",\"default\":1}")]
    [InlineData("{\"name\":\"n\",\"type\":\"float\",\"default\":\"NaN\"}")]
    [InlineData("{\"name\":\"n\",\"type\":[\"null\",\"string\"],\"default\":null}")]
    [InlineData("{\"name\":\"n\",\"type\":[\"string\",\"null\"],\"default\":\"a\"}")]
    [InlineData("{\"name\":\"n\",\"type\":\"bytes\",\"default\":\"\\u00ff\\u0000\"}")]
    [InlineData("{\"name\":\"n\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":2},\"default\":\"ab\"}")]
    [InlineData("{\"name\":\"n\",\"type\":{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"r\",\"type\":\"int\",\"default\":1}]},\"default\":{}}")]
    [InlineData("{\"name\":\"n\",\"type\":{\"type\":\"array\",\"items\":\"A\"},\"default\":[]}")]
    public void DefaultsThatMatchTheirTypeAreAccepted(string field)
    {
        var text = $$"""{"type":"record","name":"A","fields":[{"name":"ok","type":"int"},{{field}}]}""";

        Assert.Equal("A", Format.Parse(text).Name);
    }

    [Theory]
    [InlineData("{\"type\":\"record\",\"name\":\"1User\",\"fields\":[]}", "1User")]
    [InlineData("{\"type\":\"record\",\"name\":\"User\",\"namespace\":\"com..acme\",\"fields\":[]}", "com..acme")]
    [InlineData("{\"type\":\"record\",\"name\":\"User\",\"fields\":[{\"name\":\"my-field\",\"type\":\"int\"}]}", "my-field")]
    [InlineData("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"b c\"]}", "b c")]
    [InlineData("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"A\"]}", "A")]
    [InlineData("{\"type\":\"record\",\"name\":\"User\",\"aliases\":[\"ok\",\"no-way\"],\"fields\":[]}", "no-way")]
    [InlineData("{\"type\":\"record\",\"name\":\"User\",\"fields\":[{\"name\":\"f\",\"type\":\"int\",\"aliases\":[\"9f\"]}]}", "9f")]
    [InlineData("{\"type\":\"record\",\"name\":\"User\",\"fields\":[{\"name\":\"f\",\"type\":\"int\"},{\"name\":\"f\",\"type\":\"long\"}]}", "f")]
    [InlineData("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"],\"default\":\"Z\"}", "Z")]
    public void BadNamesAndDuplicatesAreRefused(string text, string mentioned)
    {
        var e = Assert.Throws<SchemaParseException>(() => Format.Parse(text));

        Assert.Contains(mentioned, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[\"string\",\"string\"]")]
    [InlineData("[\"null\",[\"int\"]]")]
    [InlineData("[]")]
    public void BadUnionsAreRefused(string text) =>
        Assert.Throws<SchemaParseException>(() => Format.Parse(text));
}
