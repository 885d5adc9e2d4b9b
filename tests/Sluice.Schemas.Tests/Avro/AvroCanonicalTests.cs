namespace Sluice.Schemas.Tests.Avro;

public sealed class AvroCanonicalTests
{
    private const string Base = """
        {"type":"record","name":"User","namespace":"com.acme","fields":[
          {"name":"id","type":"long"},
          {"name":"name","type":"string","default":"anon"},
          {"name":"score","type":"double","default":1},
          {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"]}},
          {"name":"other","type":"Kind"}
        ]}
        """;

    private static string Canonical(string text) => AvroTestData.Parse(text).Canonical;

    [Fact]
    public void TheCanonicalFormIsCompactWithFullNamesAndDefaults() =>
        Assert.Equal(
            """{"name":"com.acme.User","type":"record","fields":[{"name":"id","type":"long"},{"name":"name","type":"string","default":"anon"},"""
            + """{"name":"score","type":"double","default":1},{"name":"kind","type":{"name":"com.acme.Kind","type":"enum","symbols":["A","B"]}},"""
            + """{"name":"other","type":"com.acme.Kind"}]}""",
            Canonical(Base));

    [Theory]
    // Whitespace, key order, doc, and the full name instead of name plus namespace.
    [InlineData("""
        { "doc": "a user",
          "fields": [ { "type": "long", "name": "id", "doc": "the id" },
                      { "default": "anon", "name": "name", "type": { "type": "string" } },
                      { "name": "score", "type": "double", "default": 1.0, "order": "ascending" },
                      { "name": "kind", "type": { "symbols": ["A", "B"], "type": "enum", "name": "com.acme.Kind" } },
                      { "name": "other", "type": "com.acme.Kind" } ],
          "name": "com.acme.User", "type": "record" }
        """)]
    // An explicit namespace on the nested enum equal to the inherited one.
    [InlineData("""
        {"type":"record","name":"User","namespace":"com.acme","fields":[
          {"name":"id","type":{"type":"long"}},
          {"name":"name","type":"string","default":"anon"},
          {"name":"score","type":"double","default":10e-1},
          {"name":"kind","type":{"type":"enum","name":"Kind","namespace":"com.acme","symbols":["A","B"]}},
          {"name":"other","type":"Kind"}
        ]}
        """)]
    public void TextsOfTheSameSchemaHaveOneCanonicalForm(string variant) =>
        Assert.Equal(Canonical(Base), Canonical(variant));

    [Theory]
    [InlineData("\"anon\"", "\"nobody\"")]
    [InlineData("{\"name\":\"name\",\"type\":\"string\",\"default\":\"anon\"}", "{\"name\":\"name\",\"type\":\"string\",\"default\":\"anon\",\"aliases\":[\"full_name\"]}")]
    [InlineData("\"symbols\":[\"A\",\"B\"]", "\"symbols\":[\"A\",\"B\"],\"default\":\"A\"")]
    [InlineData("\"namespace\":\"com.acme\",", "\"namespace\":\"com.acme\",\"aliases\":[\"Person\"],")]
    [InlineData("{\"name\":\"id\",\"type\":\"long\"}", "{\"name\":\"id\",\"type\":\"long\",\"order\":\"descending\"}")]
    [InlineData("{\"name\":\"id\",\"type\":\"long\"}", "{\"name\":\"id\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}")]
    [InlineData("\"namespace\":\"com.acme\"", "\"namespace\":\"com.acme2\"")]
    public void AChangeThatMattersToResolutionChangesTheCanonicalForm(string from, string to)
    {
        var changed = Base.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Base, changed);

        Assert.NotEqual(Canonical(Base), Canonical(changed));
    }

    [Fact]
    public void FieldOrderChangesTheCanonicalForm()
    {
        const string ab = """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}""";
        const string ba = """{"type":"record","name":"R","fields":[{"name":"b","type":"int"},{"name":"a","type":"int"}]}""";

        Assert.NotEqual(Canonical(ab), Canonical(ba));
    }

    [Fact]
    public void AliasOrderAndDefaultMapKeyOrderDoNotChangeTheCanonicalForm()
    {
        const string one = """{"type":"record","name":"R","aliases":["X","Y"],"fields":[{"name":"m","type":{"type":"map","values":"int"},"default":{"a":1,"b":2}}]}""";
        const string two = """{"type":"record","name":"R","aliases":["Y","X"],"fields":[{"name":"m","type":{"type":"map","values":"int"},"default":{"b":2,"a":1}}]}""";

        Assert.Equal(Canonical(one), Canonical(two));
    }

    [Fact]
    public void ARecursiveSchemaRefersToItselfByFullName() =>
        Assert.Equal(
            """{"name":"Node","type":"record","fields":[{"name":"value","type":"int"},{"name":"next","type":["null","Node"],"default":null}]}""",
            Canonical(AvroTestData.LinkedListSchema));

    [Theory]
    [InlineData("\"string\"", "{\"type\":\"string\"}", "\"string\"")]
    [InlineData("[\"null\",\"int\"]", "[ \"null\" , {\"type\":\"int\"} ]", "[\"null\",\"int\"]")]
    [InlineData("{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":4}", "{\"precision\":4,\"scale\":0,\"logicalType\":\"decimal\",\"type\":\"bytes\"}", "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":4}")]
    public void NonRecordSchemasHaveCanonicalFormsToo(string one, string two, string expected)
    {
        Assert.Equal(expected, Canonical(one));
        Assert.Equal(expected, Canonical(two));
    }
}
