using System.Text;
using System.Text.Json;
using Sluice.Schemas.Json;

namespace Sluice.Schemas.Tests.Json;

/// <summary>
/// Draft-04 schemas, as NJsonSchema (and so Confluent's .NET <c>JsonSerializer&lt;T&gt;</c>) generates them: checked
/// against the draft-04 meta-schema, evaluated and compared as their draft-07 translation, kept as written.
/// </summary>
public sealed class JsonSchemaDraft4Tests
{
    private const string Draft4 = "http://json-schema.org/draft-04/schema#";

    /// <summary>What NJsonSchema generates for a C# class Order { int Id; string? Name; double Amount } with Newtonsoft's names.</summary>
    private const string NJsonSchemaOrder = """{"$schema":"http://json-schema.org/draft-04/schema#","title":"Order","type":"object","additionalProperties":false,"properties":{"Id":{"type":"integer","format":"int32"},"Name":{"type":["null","string"]},"Amount":{"type":"number","format":"double"}},"definitions":{}}""";

    private static readonly JsonSchemaFormat Format = new();

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static JsonSchemaDocument Parse(string text) => Assert.IsType<JsonSchemaDocument>(Format.Parse(text));

    private static string? Validate(ParsedSchema schema, string record) => schema.ValidateJson(Encoding.UTF8.GetBytes(record));

    /// <summary>The fast path and JsonSchema.Net must agree on the translation, and the format's verdict with them.</summary>
    private static void AssertVerdict(JsonSchemaDocument schema, string record, bool valid)
    {
        using var instance = JsonDocument.Parse(record);
        Assert.Equal(valid, schema.IsValidByReference(instance.RootElement));
        Assert.Equal(valid, schema.IsValidByFastPath(instance.RootElement));
        Assert.Equal(valid, Validate(schema, record) is null);
    }

    private static IReadOnlyList<string> Check(CompatibilityLevel level, string previous, string candidate) =>
        CompatibilityChecker.Check(level, Format.Parse(candidate), [(1, Format.Parse(previous))]);

    [Theory]
    [InlineData("http://json-schema.org/draft-04/schema#")]
    [InlineData("http://json-schema.org/draft-04/schema")]
    [InlineData("https://json-schema.org/draft-04/schema#")]
    [InlineData("https://json-schema.org/draft-04/schema")]
    public void Every_spelling_of_draft_04_parses_and_keeps_its_text(string uri)
    {
        var text = $$$$"""{"$schema":"{{{{uri}}}}","id":"http://example.com/thing.json","type":"object","properties":{"n":{"type":"number","maximum":5,"exclusiveMaximum":true}}}""";
        var schema = Parse(text);
        Assert.Equal(text, schema.Text);
        // The canonical form is the text's, not the translation's: the registry compares and serves what was registered.
        Assert.Contains(uri, schema.Canonical, StringComparison.Ordinal);
        Assert.Contains("\"id\":\"http://example.com/thing.json\"", schema.Canonical, StringComparison.Ordinal);
        Assert.Contains("\"exclusiveMaximum\":true", schema.Canonical, StringComparison.Ordinal);
        Assert.Equal(JsonSchemaDraft.Draft7, schema.Draft);
    }

    [Fact]
    public void A_draft_04_schema_and_the_same_text_reformatted_have_one_canonical_form() =>
        Assert.Equal(Parse(NJsonSchemaOrder).Canonical, Parse(JsonSerializer.Serialize(JsonDocument.Parse(NJsonSchemaOrder).RootElement, Indented)).Canonical);

    [Theory]
    [InlineData(9.5, true)]
    [InlineData(10, false)]
    [InlineData(10.5, false)]
    public void A_true_exclusive_maximum_excludes_the_maximum(double value, bool valid)
    {
        var schema = Parse($$$$"""{"$schema":"{{{{Draft4}}}}","type":"object","properties":{"n":{"type":"number","maximum":10,"exclusiveMaximum":true}}}""");
        Assert.True(schema.HasFastPath);
        AssertVerdict(schema, $$$"""{"n":{{{value.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}}""", valid);
    }

    [Theory]
    [InlineData(0.5, true)]
    [InlineData(0, false)]
    [InlineData(-1, false)]
    public void A_true_exclusive_minimum_excludes_the_minimum(double value, bool valid)
    {
        var schema = Parse($$$"""{"$schema":"{{{Draft4}}}","type":"number","minimum":0,"exclusiveMinimum":true}""");
        AssertVerdict(schema, value.ToString(System.Globalization.CultureInfo.InvariantCulture), valid);
    }

    [Fact]
    public void A_false_exclusive_bound_is_the_inclusive_bound()
    {
        var schema = Parse($$$"""{"$schema":"{{{Draft4}}}","type":"integer","minimum":1,"exclusiveMinimum":false,"maximum":10,"exclusiveMaximum":false}""");
        AssertVerdict(schema, "1", valid: true);
        AssertVerdict(schema, "10", valid: true);
        AssertVerdict(schema, "0", valid: false);
        AssertVerdict(schema, "11", valid: false);
        Assert.Contains("$:", Validate(schema, "11"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_schema_id_is_a_base_for_references_and_a_property_named_id_stays_a_property()
    {
        var schema = Parse($$$"""
            {"$schema":"{{{Draft4}}}","id":"http://example.com/order.json","type":"object",
             "definitions":{"count":{"type":"integer"},"other":{"id":"other.json","type":"integer"}},
             "properties":{"id":{"type":"string"},"a":{"$ref":"http://example.com/order.json#/definitions/count"},"b":{"$ref":"other.json"}},
             "required":["id"]}
            """);
        AssertVerdict(schema, """{"id":"o-1","a":1,"b":2}""", valid: true);
        AssertVerdict(schema, """{"id":7}""", valid: false);
        AssertVerdict(schema, """{"id":"o-1","a":"one"}""", valid: false);
        AssertVerdict(schema, """{"id":"o-1","b":"two"}""", valid: false);
        AssertVerdict(schema, """{"a":1}""", valid: false);
    }

    [Theory]
    [InlineData("""{"Id":1,"Name":"Ada","Amount":9.99}""", true)]
    [InlineData("""{"Id":1,"Name":null,"Amount":0}""", true)]
    [InlineData("""{}""", true)]
    [InlineData("""{"Id":"1","Name":"Ada","Amount":9.99}""", false)]
    [InlineData("""{"Id":1.5}""", false)]
    [InlineData("""{"Id":1,"Name":7}""", false)]
    [InlineData("""{"Id":1,"Extra":true}""", false)]
    public void An_njsonschema_generated_schema_validates_records(string record, bool valid)
    {
        var schema = Parse(NJsonSchemaOrder);
        Assert.Equal("Order", schema.Name);
        Assert.True(schema.HasFastPath);
        AssertVerdict(schema, record, valid);
    }

    [Fact]
    public void A_violation_names_the_field()
    {
        var error = Validate(Parse(NJsonSchemaOrder), """{"Id":1,"Name":7}""");
        Assert.NotNull(error);
        Assert.Contains("$.Name:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_draft_04_versions_evolve_by_confluents_rules()
    {
        var withNote = NJsonSchemaOrder.Replace("""},"definitions":{}}""", ""","Note":{"type":["null","string"]}},"definitions":{}}""", StringComparison.Ordinal);
        Assert.NotEqual(NJsonSchemaOrder, withNote);

        // A closed content model: adding an optional property is backward compatible, not forward.
        Assert.Empty(Check(CompatibilityLevel.Backward, NJsonSchemaOrder, withNote));
        Assert.Contains(Check(CompatibilityLevel.Forward, NJsonSchemaOrder, withNote), r => r.Contains("#/properties/Note:", StringComparison.Ordinal));
        Assert.Contains(Check(CompatibilityLevel.Backward, withNote, NJsonSchemaOrder), r => r.Contains("#/properties/Note:", StringComparison.Ordinal));

        var amountAsString = NJsonSchemaOrder.Replace("""{"type":"number","format":"double"}""", """{"type":"string"}""", StringComparison.Ordinal);
        Assert.Contains(Check(CompatibilityLevel.Backward, NJsonSchemaOrder, amountAsString), r => r.Contains("#/properties/Amount", StringComparison.Ordinal));
    }

    [Fact]
    public void A_draft_04_schema_and_its_draft_07_equivalent_are_fully_compatible_both_ways()
    {
        const string draft7 = """{"$schema":"http://json-schema.org/draft-07/schema#","title":"Order","type":"object","additionalProperties":false,"properties":{"Id":{"type":"integer","format":"int32"},"Name":{"type":["null","string"]},"Amount":{"type":"number","format":"double","exclusiveMinimum":0}}}""";
        var draft4 = NJsonSchemaOrder.Replace("""{"type":"number","format":"double"}""", """{"type":"number","format":"double","minimum":0,"exclusiveMinimum":true}""", StringComparison.Ordinal);
        Assert.Empty(Check(CompatibilityLevel.FullTransitive, draft4, draft7));
        Assert.Empty(Check(CompatibilityLevel.FullTransitive, draft7, draft4));

        // An inclusive bound takes 0, which the exclusive one refused: reading old data is fine, the other way is not.
        var inclusive = draft4.Replace("\"exclusiveMinimum\":true", "\"exclusiveMinimum\":false", StringComparison.Ordinal);
        Assert.Empty(Check(CompatibilityLevel.Backward, draft7, inclusive));
        Assert.NotEmpty(Check(CompatibilityLevel.Forward, draft7, inclusive));
    }

    [Theory]
    [InlineData("""{"type":"number","exclusiveMaximum":5}""", "not a valid draft-04 schema")]
    [InlineData("""{"type":"number","exclusiveMaximum":true}""", "not a valid draft-04 schema")]
    [InlineData("""{"type":"object","properties":{"a":true}}""", "#/properties/a")]
    [InlineData("""{"id":7}""", "#/id")]
    [InlineData("""{"type":"string","const":"x"}""", "no 'const' keyword")]
    [InlineData("""{"type":"object","properties":{"a":{"if":{"type":"string"},"then":{"minLength":1}}}}""", "at #/properties/a")]
    [InlineData("""{"type":"object","$id":"http://example.com/x.json"}""", "no '$id' keyword")]
    [InlineData("""{"properties":{"a":{"$ref":"http://example.com/other.json"}}}""", "does not support references to other schemas")]
    public void Invalid_draft_04_schemas_are_refused_with_the_reason(string body, string expected)
    {
        var text = $$$"""{"$schema":"{{{Draft4}}}",{{{body[1..]}}}""";
        var e = Assert.Throws<SchemaParseException>(() => Format.Parse(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_name_id_is_an_anchor()
    {
        var schema = Parse($$$$"""{"$schema":"{{{{Draft4}}}}","definitions":{"count":{"id":"#count","type":"integer"}},"properties":{"b":{"$ref":"#count"}}}""");
        AssertVerdict(schema, """{"b":2}""", valid: true);
        AssertVerdict(schema, """{"b":"two"}""", valid: false);
    }

    [Fact]
    public void Properties_named_like_later_keywords_are_only_names()
    {
        var schema = Parse($$$"""{"$schema":"{{{Draft4}}}","type":"object","properties":{"const":{"type":"string"},"$id":{"type":"integer"},"if":{"type":"boolean"}},"required":["const"]}""");
        AssertVerdict(schema, """{"const":"c","$id":1,"if":true}""", valid: true);
        AssertVerdict(schema, """{"$id":1}""", valid: false);
    }
}
