using Sluice.Schemas.Json;

namespace Sluice.Schemas.Tests.Json;

/// <summary>Confluent's JSON Schema evolution cases through <see cref="CompatibilityChecker"/>: BACKWARD reads old data with the new schema, FORWARD new data with the old one.</summary>
public sealed class JsonSchemaCompatibilityTests
{
    private static readonly JsonSchemaFormat Format = new();

    private static IReadOnlyList<string> Check(CompatibilityLevel level, string previous, string candidate) =>
        CompatibilityChecker.Check(level, Format.Parse(candidate), [(1, Format.Parse(previous))]);

    private static void AssertCompatible(CompatibilityLevel level, string previous, string candidate)
    {
        var reasons = Check(level, previous, candidate);
        Assert.True(reasons.Count == 0, string.Join(Environment.NewLine, reasons));
    }

    private static void AssertIncompatible(CompatibilityLevel level, string previous, string candidate, string path)
    {
        var reasons = Check(level, previous, candidate);
        Assert.NotEmpty(reasons);
        Assert.Contains(reasons, r => r.Contains(path + ":", StringComparison.Ordinal));
    }

    private const string OpenA = """{"type":"object","properties":{"a":{"type":"string"}}}""";
    private const string OpenAB = """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}}}""";
    private const string ClosedA = """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}""";
    private const string ClosedAB = """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":false}""";

    [Fact]
    public void Identical_schemas_are_compatible_at_every_level()
    {
        foreach (var level in Enum.GetValues<CompatibilityLevel>())
        {
            AssertCompatible(level, OpenAB, OpenAB);
            AssertCompatible(level, ClosedAB, """{ "additionalProperties": false, "properties": { "b": { "type": "string" }, "a": { "type": "string" } }, "type": "object" }""");
        }
    }

    [Fact]
    public void Adding_an_optional_property_to_an_open_content_model_is_not_backward_compatible()
    {
        // Old records may already carry 'b' with any value: the open model let writers add anything.
        AssertIncompatible(CompatibilityLevel.Backward, OpenA, OpenAB, "#/properties/b");
        Assert.Contains("open content model", Check(CompatibilityLevel.Backward, OpenA, OpenAB)[0], StringComparison.Ordinal);
        AssertCompatible(CompatibilityLevel.Forward, OpenA, OpenAB);
        AssertIncompatible(CompatibilityLevel.Full, OpenA, OpenAB, "#/properties/b");
    }

    [Fact]
    public void Adding_a_property_with_an_empty_schema_to_an_open_content_model_is_compatible() =>
        AssertCompatible(CompatibilityLevel.Full, OpenA, """{"type":"object","properties":{"a":{"type":"string"},"b":{"description":"anything"}}}""");

    [Fact]
    public void Removing_a_property_from_an_open_content_model_is_backward_but_not_forward_compatible()
    {
        AssertCompatible(CompatibilityLevel.Backward, OpenAB, OpenA);
        AssertIncompatible(CompatibilityLevel.Forward, OpenAB, OpenA, "#/properties/b");
        AssertIncompatible(CompatibilityLevel.Full, OpenAB, OpenA, "#/properties/b");
    }

    [Fact]
    public void Adding_an_optional_property_to_a_closed_content_model_is_backward_but_not_forward_compatible()
    {
        AssertCompatible(CompatibilityLevel.Backward, ClosedA, ClosedAB);
        AssertIncompatible(CompatibilityLevel.Forward, ClosedA, ClosedAB, "#/properties/b");
        Assert.Contains("closed content model", Check(CompatibilityLevel.Forward, ClosedA, ClosedAB)[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Removing_a_property_from_a_closed_content_model_is_not_backward_compatible()
    {
        AssertIncompatible(CompatibilityLevel.Backward, ClosedAB, ClosedA, "#/properties/b");
        AssertCompatible(CompatibilityLevel.Forward, ClosedAB, ClosedA);
    }

    [Fact]
    public void A_partially_open_content_model_covers_a_property_its_schema_accepts()
    {
        const string partial = """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":{"type":"string"}}""";
        // Writer partially open with strings: a reader that adds 'b' as a string is covered, as an integer is not.
        AssertCompatible(CompatibilityLevel.Backward, partial, """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":{"type":"string"}}""");
        AssertIncompatible(CompatibilityLevel.Backward, partial, """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"additionalProperties":{"type":"string"}}""", "#/properties/b");
        // patternProperties: removing 'x-b' is covered by the reader's "^x-" strings.
        AssertCompatible(CompatibilityLevel.Backward,
            """{"type":"object","properties":{"x-b":{"type":"string","maxLength":3}},"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false}""",
            """{"type":"object","patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false}""");
    }

    [Fact]
    public void Closing_an_open_content_model_is_not_backward_compatible_and_opening_a_closed_one_is()
    {
        AssertIncompatible(CompatibilityLevel.Backward, OpenA, ClosedA, "#/additionalProperties");
        AssertCompatible(CompatibilityLevel.Backward, ClosedA, OpenA);
    }

    [Fact]
    public void Adding_a_required_property_is_not_backward_compatible_and_removing_one_is()
    {
        const string optional = """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["a"]}""";
        const string required = """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["a","b"]}""";
        AssertIncompatible(CompatibilityLevel.Backward, optional, required, "#/properties/b");
        AssertCompatible(CompatibilityLevel.Forward, optional, required);
        AssertCompatible(CompatibilityLevel.Backward, required, optional);
        AssertIncompatible(CompatibilityLevel.Forward, required, optional, "#/properties/b");
    }

    [Fact]
    public void A_narrowed_type_is_not_backward_compatible_and_a_widened_one_is()
    {
        const string number = """{"type":"object","properties":{"age":{"type":"number"}}}""";
        const string integer = """{"type":"object","properties":{"age":{"type":"integer"}}}""";
        const string integerOrNull = """{"type":"object","properties":{"age":{"type":["integer","null"]}}}""";
        AssertIncompatible(CompatibilityLevel.Backward, number, integer, "#/properties/age/type");
        AssertCompatible(CompatibilityLevel.Backward, integer, number);
        AssertIncompatible(CompatibilityLevel.Forward, integer, number, "#/properties/age/type");
        AssertCompatible(CompatibilityLevel.Backward, integer, integerOrNull);
        AssertIncompatible(CompatibilityLevel.Backward, integerOrNull, integer, "#/properties/age/type");
        AssertIncompatible(CompatibilityLevel.Backward, integer, """{"type":"object","properties":{"age":{"type":"string"}}}""", "#/properties/age/type");

        // A narrowed type does not hide the constraints tightened with it.
        var reasons = Check(CompatibilityLevel.Backward, """{"type":"number","maximum":10}""", """{"type":"integer","maximum":5}""");
        Assert.Contains(reasons, r => r.Contains("#/type:", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("#/maximum:", StringComparison.Ordinal));
    }

    [Fact]
    public void An_extended_enum_is_backward_compatible_and_a_reduced_one_is_not()
    {
        const string two = """{"type":"object","properties":{"color":{"enum":["RED","GREEN"]}}}""";
        const string three = """{"type":"object","properties":{"color":{"enum":["RED","GREEN","BLUE"]}}}""";
        AssertCompatible(CompatibilityLevel.Backward, two, three);
        AssertIncompatible(CompatibilityLevel.Forward, two, three, "#/properties/color/enum");
        AssertIncompatible(CompatibilityLevel.Backward, three, two, "#/properties/color/enum");
        Assert.Contains("\"BLUE\"", Check(CompatibilityLevel.Backward, three, two)[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_tightened_max_length_is_not_backward_compatible_and_a_loosened_one_is()
    {
        const string twenty = """{"type":"object","properties":{"name":{"type":"string","maxLength":20}}}""";
        const string ten = """{"type":"object","properties":{"name":{"type":"string","maxLength":10}}}""";
        AssertIncompatible(CompatibilityLevel.Backward, twenty, ten, "#/properties/name/maxLength");
        AssertCompatible(CompatibilityLevel.Backward, ten, twenty);
        AssertIncompatible(CompatibilityLevel.Full, ten, twenty, "#/properties/name/maxLength");
    }

    [Theory]
    [InlineData("""{"type":"integer","minimum":0}""", """{"type":"integer","minimum":1}""", "#/minimum")]
    [InlineData("""{"type":"integer","maximum":10}""", """{"type":"integer","maximum":9}""", "#/maximum")]
    [InlineData("""{"type":"integer","maximum":10}""", """{"type":"integer","exclusiveMaximum":10}""", "#/exclusiveMaximum")]
    [InlineData("""{"type":"integer"}""", """{"type":"integer","exclusiveMinimum":0}""", "#/exclusiveMinimum")]
    [InlineData("""{"type":"integer","multipleOf":2}""", """{"type":"integer","multipleOf":4}""", "#/multipleOf")]
    [InlineData("""{"type":"string"}""", """{"type":"string","minLength":1}""", "#/minLength")]
    [InlineData("""{"type":"string","pattern":"^a"}""", """{"type":"string","pattern":"^ab"}""", "#/pattern")]
    [InlineData("""{"type":"array"}""", """{"type":"array","maxItems":3}""", "#/maxItems")]
    [InlineData("""{"type":"array","minItems":1}""", """{"type":"array","minItems":2}""", "#/minItems")]
    [InlineData("""{"type":"array"}""", """{"type":"array","uniqueItems":true}""", "#/uniqueItems")]
    [InlineData("""{"type":"object"}""", """{"type":"object","maxProperties":3}""", "#/maxProperties")]
    [InlineData("""{"const":"a"}""", """{"const":"b"}""", "#/const")]
    [InlineData("""{"type":"string"}""", """{"type":"string","not":{"const":"x"}}""", "#/not")]
    public void Tightened_constraints_are_not_backward_compatible(string previous, string candidate, string path)
    {
        AssertIncompatible(CompatibilityLevel.Backward, previous, candidate, path);
    }

    [Theory]
    [InlineData("""{"type":"integer","minimum":1}""", """{"type":"integer","minimum":0}""")]
    [InlineData("""{"type":"integer","exclusiveMaximum":10}""", """{"type":"integer","maximum":10}""")]
    [InlineData("""{"type":"integer","multipleOf":4}""", """{"type":"integer","multipleOf":2}""")]
    [InlineData("""{"type":"integer"}""", """{"type":"number","multipleOf":1}""")]
    [InlineData("""{"type":"string","pattern":"^a","maxLength":3}""", """{"type":"string","pattern":"^a"}""")]
    [InlineData("""{"type":"array","uniqueItems":true,"maxItems":2}""", """{"type":"array"}""")]
    [InlineData("""{"enum":["ab","ac"]}""", """{"type":"string","pattern":"^a","maxLength":2}""")]
    [InlineData("""{"const":3}""", """{"type":"integer","minimum":3}""")]
    [InlineData("""{"type":"string","not":{"enum":["x","y"]}}""", """{"type":"string","not":{"const":"x"}}""")]
    [InlineData("""{"type":"string","format":"email","title":"Mail","description":"d","default":"a@b.c"}""", """{"type":"string","format":"date-time","title":"Other"}""")]
    public void Loosened_or_annotation_only_changes_are_backward_compatible(string previous, string candidate)
    {
        AssertCompatible(CompatibilityLevel.Backward, previous, candidate);
    }

    [Fact]
    public void A_nested_object_change_names_the_nested_path()
    {
        const string before = """{"type":"object","properties":{"address":{"type":"object","properties":{"zip":{"type":"string"}},"additionalProperties":false}}}""";
        const string after = """{"type":"object","properties":{"address":{"type":"object","properties":{"zip":{"type":"integer"}},"additionalProperties":false}}}""";
        AssertIncompatible(CompatibilityLevel.Backward, before, after, "#/properties/address/properties/zip/type");
        AssertIncompatible(CompatibilityLevel.Forward, before, after, "#/properties/address/properties/zip/type");
    }

    [Fact]
    public void Array_items_may_widen_but_not_narrow()
    {
        const string integers = """{"type":"object","properties":{"scores":{"type":"array","items":{"type":"integer"}}}}""";
        const string numbers = """{"type":"object","properties":{"scores":{"type":"array","items":{"type":"number"}}}}""";
        AssertCompatible(CompatibilityLevel.Backward, integers, numbers);
        AssertIncompatible(CompatibilityLevel.Backward, numbers, integers, "#/properties/scores/items/type");
    }

    [Fact]
    public void Tuple_items_follow_the_arrays_content_model()
    {
        const string openPair = """{"type":"array","items":[{"type":"string"},{"type":"integer"}]}""";
        const string openTriple = """{"type":"array","items":[{"type":"string"},{"type":"integer"},{"type":"boolean"}]}""";
        const string closedPair = """{"type":"array","items":[{"type":"string"},{"type":"integer"}],"additionalItems":false}""";
        const string closedTriple = """{"type":"array","items":[{"type":"string"},{"type":"integer"},{"type":"boolean"}],"additionalItems":false}""";
        AssertIncompatible(CompatibilityLevel.Backward, openPair, openTriple, "#/items/2");
        AssertCompatible(CompatibilityLevel.Backward, closedPair, closedTriple);
        AssertIncompatible(CompatibilityLevel.Backward, closedTriple, closedPair, "#/items");
        AssertCompatible(CompatibilityLevel.Backward, openTriple, openPair);
        // 2020-12 spells the tuple prefixItems.
        AssertIncompatible(CompatibilityLevel.Backward,
            """{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array","prefixItems":[{"type":"string"}]}""",
            """{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array","prefixItems":[{"type":"integer"}]}""",
            "#/prefixItems/0/type");
    }

    [Fact]
    public void A_oneOf_branch_added_is_backward_compatible_and_one_removed_is_not()
    {
        const string two = """{"oneOf":[{"type":"string"},{"type":"integer"}]}""";
        const string three = """{"oneOf":[{"type":"string"},{"type":"integer"},{"type":"boolean"}]}""";
        AssertCompatible(CompatibilityLevel.Backward, two, three);
        AssertIncompatible(CompatibilityLevel.Forward, two, three, "#/oneOf/2");
        AssertIncompatible(CompatibilityLevel.Backward, three, two, "#/oneOf/2");
        AssertIncompatible(CompatibilityLevel.Full, two, three, "#/oneOf/2");
    }

    [Fact]
    public void A_single_type_may_become_a_sum_that_includes_it_but_not_the_reverse()
    {
        AssertCompatible(CompatibilityLevel.Backward, """{"type":"string"}""", """{"anyOf":[{"type":"string"},{"type":"null"}]}""");
        AssertIncompatible(CompatibilityLevel.Backward, """{"anyOf":[{"type":"string"},{"type":"null"}]}""", """{"type":"string"}""", "#/type");
        AssertCompatible(CompatibilityLevel.Backward, """{"oneOf":[{"type":"string"},{"type":"integer"}]}""", """{"type":["string","integer"]}""");
    }

    [Fact]
    public void AllOf_parts_must_each_be_implied_by_the_writer()
    {
        const string one = """{"allOf":[{"type":"object","properties":{"a":{"type":"string"}}}]}""";
        const string two = """{"allOf":[{"type":"object","properties":{"a":{"type":"string"}}},{"required":["a"]}]}""";
        AssertCompatible(CompatibilityLevel.Backward, two, one);
        AssertIncompatible(CompatibilityLevel.Backward, one, two, "#/properties/a");
    }

    [Fact]
    public void Local_references_are_followed_and_recursion_terminates()
    {
        const string before = """{"definitions":{"node":{"type":"object","properties":{"value":{"type":"integer"},"next":{"$ref":"#/definitions/node"}}}},"$ref":"#/definitions/node"}""";
        const string widened = """{"$defs":{"item":{"type":"object","properties":{"value":{"type":"number"},"next":{"$ref":"#/$defs/item"}}}},"$ref":"#/$defs/item"}""";
        AssertCompatible(CompatibilityLevel.Backward, before, widened);
        AssertIncompatible(CompatibilityLevel.Forward, before, widened, "#/properties/value/type");
        AssertCompatible(CompatibilityLevel.Full, before, before);

        // A recursive reader against a writer that allows anything: the implicit schemas recurse with it and stop.
        AssertIncompatible(CompatibilityLevel.Backward, "{}", before, "#/type");
        AssertIncompatible(CompatibilityLevel.Backward, """{"type":"object"}""", before, "#/properties/value");
    }

    [Fact]
    public void Boolean_schemas_are_the_widest_and_narrowest()
    {
        AssertCompatible(CompatibilityLevel.Backward, """{"type":"string"}""", "true");
        AssertIncompatible(CompatibilityLevel.Backward, "true", """{"type":"string"}""", "#/type");
        AssertCompatible(CompatibilityLevel.Backward, "false", """{"type":"string"}""");
        AssertIncompatible(CompatibilityLevel.Backward, """{"type":"string"}""", "false", "#");
    }

    [Fact]
    public void An_unchanged_condition_is_compatible_and_an_added_one_is_not()
    {
        const string conditional = """{"type":"object","if":{"properties":{"kind":{"const":"a"}}},"then":{"required":["x"]}}""";
        AssertCompatible(CompatibilityLevel.Full, conditional, conditional);
        AssertIncompatible(CompatibilityLevel.Backward, """{"type":"object"}""", conditional, "#/if");
    }

    [Fact]
    public void A_change_another_version_made_possible_fails_only_the_transitive_check()
    {
        // v2 tightened the maximum (registered while the subject was FORWARD); v3 loosens it again, but not back to v1's.
        const string v1 = """{"type":"object","properties":{"age":{"type":"integer","maximum":150}}}""";
        const string v2 = """{"type":"object","properties":{"age":{"type":"integer","maximum":120}}}""";
        const string v3 = """{"type":"object","properties":{"age":{"type":"integer","maximum":130}}}""";
        Assert.Empty(CompatibilityChecker.Check(CompatibilityLevel.Forward, Format.Parse(v2), [(1, Format.Parse(v1))]));

        var previous = new List<(int, ParsedSchema)> { (1, Format.Parse(v1)), (2, Format.Parse(v2)) };
        Assert.Empty(CompatibilityChecker.Check(CompatibilityLevel.Backward, Format.Parse(v3), previous));
        var transitive = CompatibilityChecker.Check(CompatibilityLevel.BackwardTransitive, Format.Parse(v3), previous);
        var reason = Assert.Single(transitive);
        Assert.Contains("version 1", reason, StringComparison.Ordinal);
        Assert.Contains("#/properties/age/maximum:", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pairwise_compatible_chain_of_closed_models_fails_transitively_when_a_property_comes_back_with_another_type()
    {
        // v1 → v2 removes 'b' (FORWARD: v1's closed reader would not read it... so the subject was NONE), v2 → v3 adds 'b' back as an integer.
        const string v1 = """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":false}""";
        const string v2 = """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}""";
        const string v3 = """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"additionalProperties":false}""";
        var previous = new List<(int, ParsedSchema)> { (1, Format.Parse(v1)), (2, Format.Parse(v2)) };
        Assert.Empty(CompatibilityChecker.Check(CompatibilityLevel.Backward, Format.Parse(v3), previous));
        var transitive = CompatibilityChecker.Check(CompatibilityLevel.BackwardTransitive, Format.Parse(v3), previous);
        Assert.Contains(transitive, r => r.Contains("version 1", StringComparison.Ordinal) && r.Contains("#/properties/b/type:", StringComparison.Ordinal));
    }

    [Fact]
    public void Forward_and_full_verdicts_follow_both_directions()
    {
        Assert.Empty(Check(CompatibilityLevel.Full, OpenA, """{"type":"object","title":"A","properties":{"a":{"type":"string","description":"the a"}}}"""));

        // Opening a closed model: old readers (closed) cannot read new data, new readers read old data.
        var opened = Check(CompatibilityLevel.Full, ClosedA, OpenA);
        Assert.Contains(opened, r => r.StartsWith("forward", StringComparison.Ordinal) && r.Contains("#/additionalProperties:", StringComparison.Ordinal));
        Assert.DoesNotContain(opened, r => r.StartsWith("backward", StringComparison.Ordinal));
        Assert.Empty(Check(CompatibilityLevel.Backward, ClosedA, OpenA));
        Assert.NotEmpty(Check(CompatibilityLevel.Forward, ClosedA, OpenA));

        var removed = Check(CompatibilityLevel.Full, OpenAB, OpenA);
        Assert.Contains(removed, r => r.StartsWith("forward", StringComparison.Ordinal));
        Assert.DoesNotContain(removed, r => r.StartsWith("backward", StringComparison.Ordinal));
    }

    [Fact]
    public void A_json_schema_is_incompatible_with_another_format()
    {
        var other = new OtherFormatSchema();
        var reasons = CompatibilityChecker.Check(CompatibilityLevel.Backward, Format.Parse(OpenA), [(1, other)]);
        Assert.Contains("AVRO", Assert.Single(reasons), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Format.CanRead(Format.Parse(OpenA), other));
    }

    private sealed class OtherFormatSchema() : ParsedSchema("{}")
    {
        public override SchemaType Type => SchemaType.Avro;

        public override string Canonical => "{}";

        public override string Name => "other";

        public override string? ValidatePayload(ReadOnlySpan<byte> payload) => null;

        public override string? ValidateJson(ReadOnlySpan<byte> utf8Json) => null;

        public override string DecodePayloadToJson(ReadOnlySpan<byte> payload) => "{}";
    }
}
