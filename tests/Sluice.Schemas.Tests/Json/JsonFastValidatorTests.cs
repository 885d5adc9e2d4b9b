using System.Text.Json;
using Sluice.Schemas.Json;

namespace Sluice.Schemas.Tests.Json;

/// <summary>The fast path must agree with JsonSchema.Net, keyword by keyword, on valid and invalid instances.</summary>
public sealed class JsonFastValidatorTests
{
    private const string Draft2019 = "\"$schema\":\"https://json-schema.org/draft/2019-09/schema\",";
    private const string Draft2020 = "\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",";
    private const string Draft6 = "\"$schema\":\"http://json-schema.org/draft-06/schema#\",";

    /// <summary>The schema with a <c>$schema</c> first.</summary>
    private static string With(string draft, string schema) => "{" + draft + schema[1..];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        void Add(string schema, params string[] instances)
        {
            foreach (var instance in instances)
            {
                data.Add(schema, instance);
            }
        }

        Add("""{"type":"string"}""", "\"a\"", "1", "null", "[]");
        Add("""{"type":["integer","null"]}""", "1", "1.0", "1.5", "null", "\"1\"", "1e2", "-0");
        Add("""{"type":"number"}""", "1", "1.5", "true", "1e400");
        Add("""{"type":"boolean"}""", "true", "false", "0");
        Add("""{"type":"object"}""", "{}", "[]");
        Add("""{"type":"array"}""", "[]", "{}");
        Add("""{"enum":["a",1,null,{"x":[1,2]}]}""", "\"a\"", "1", "1.0", "null", """{"x":[1,2]}""", """{"x":[1.0,2]}""", """{"x":[2,1]}""", "\"b\"");
        Add("""{"const":{"a":1}}""", """{"a":1}""", """{"a":1.00}""", """{"a":2}""", """{"a":1,"b":2}""");
        Add("""{"minimum":1,"maximum":10}""", "1", "10", "0.9999", "10.0001", "\"x\"");
        Add("""{"exclusiveMinimum":1,"exclusiveMaximum":10}""", "1", "1.1", "10", "9.9");
        Add("""{"multipleOf":0.1}""", "0.3", "0.35", "10", "1e-1");
        Add("""{"multipleOf":3}""", "9", "10", "0", "-3");
        Add("""{"minLength":2,"maxLength":3}""", "\"a\"", "\"ab\"", "\"abcd\"", "\"é\u0301x\"", "\"\U0001F600\U0001F600\"", "5");
        Add("""{"pattern":"^[a-z]+\\d$"}""", "\"abc1\"", "\"abc\"", "\"ABC1\"", "\"abc\u0663\"", "1");
        Add("""{"pattern":"b"}""", "\"abc\"", "\"xyz\"");
        Add("""{"pattern":"^ab$","maxLength":2}""", "\"a\\u0062\"", "\"a\\nb\"", "\"ab\"", "\"\\u00e9b\"");
        Add("""{"maxLength":600,"pattern":"^x+$"}""", "\"" + new string('x', 600) + "\"", "\"" + new string('x', 601) + "\"", "\"" + new string('x', 599) + "y\"");
        Add("""{"items":{"type":"integer"},"minItems":1,"maxItems":3}""", "[1]", "[]", "[1,2,3,4]", "[1,\"a\"]", "{}");
        Add("""{"items":[{"type":"string"},{"type":"integer"}],"additionalItems":false}""", "[\"a\",1]", "[\"a\"]", "[\"a\",1,2]", "[1]");
        Add("""{"items":[{"type":"string"}],"additionalItems":{"type":"boolean"}}""", "[\"a\",true,false]", "[\"a\",1]");
        Add("""{"additionalItems":false}""", "[1,2]");
        Add(With(Draft2020, """{"prefixItems":[{"type":"string"}],"items":{"type":"integer"}}"""), "[\"a\",1,2]", "[\"a\",\"b\"]", "[1]", "[]");
        Add("""{"uniqueItems":true}""", "[1,2]", "[1,1]", "[1,1.0]", "[{\"a\":1},{\"a\":1}]", "[[1],[2]]");
        Add("""{"contains":{"const":1}}""", "[1]", "[2]", "[]");
        Add(With(Draft2019, """{"contains":{"const":1},"minContains":2,"maxContains":3}"""), "[1]", "[1,1]", "[1,1,1,1]", "[1,2,1]");
        Add(With(Draft2019, """{"contains":{"const":1},"minContains":0}"""), "[]", "[2]");
        Add("""{"minProperties":1,"maxProperties":2}""", "{}", """{"a":1}""", """{"a":1,"b":2,"c":3}""");
        Add("""{"required":["a","b"]}""", """{"a":1,"b":null}""", """{"a":1}""", "[]");
        Add("""{"properties":{"a":{"type":"integer"}},"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false}""",
            """{"a":1}""", """{"a":"1"}""", """{"x-y":"s"}""", """{"x-y":1}""", """{"b":1}""", "{}");
        Add("""{"properties":{"x-a":{"type":"integer"}},"patternProperties":{"^x-":{"minimum":5}}}""", """{"x-a":6}""", """{"x-a":4}""", """{"x-b":4}""");
        Add("""{"additionalProperties":{"type":"string"}}""", """{"a":"s"}""", """{"a":1}""");
        Add("""{"propertyNames":{"maxLength":2,"pattern":"^[a-z]+$"}}""", """{"ab":1}""", """{"abc":1}""", """{"A":1}""", "{}");
        Add("""{"dependencies":{"a":["b"],"c":{"required":["d"]}}}""", """{"a":1,"b":2}""", """{"a":1}""", """{"c":1}""", """{"c":1,"d":2}""", """{"b":1}""");
        Add(With(Draft2019, """{"dependentRequired":{"a":["b"]},"dependentSchemas":{"c":{"required":["d"]}}}"""), """{"a":1,"b":2}""", """{"a":1}""", """{"c":1}""");
        Add(With(Draft2019, """{"dependencies":{"a":["b"]}}"""), """{"a":1}""");
        Add(With(Draft2020, """{"prefixItems":[{"type":"string"}],"additionalItems":false}"""), "[\"a\",1]");
        Add("""{"prefixItems":[false]}""", "[1]");
        Add("""{"allOf":[{"minimum":1},{"maximum":3}]}""", "2", "0", "4");
        Add("""{"anyOf":[{"type":"string"},{"minimum":5}]}""", "\"a\"", "6", "4");
        Add("""{"oneOf":[{"type":"integer"},{"minimum":5}]}""", "1", "6", "5.5", "\"x\"");
        Add("""{"not":{"type":"string"}}""", "1", "\"a\"");
        Add("""{"if":{"properties":{"kind":{"const":"a"}}},"then":{"required":["x"]},"else":{"required":["y"]}}""", """{"kind":"a","x":1}""", """{"kind":"a"}""", """{"kind":"b","y":1}""", """{"kind":"b"}""");
        Add(With(Draft6, """{"if":{"const":1},"then":false}"""), "1");
        Add("""{"definitions":{"n":{"type":"object","properties":{"v":{"type":"integer"},"next":{"$ref":"#/definitions/n"}},"required":["v"]}},"$ref":"#/definitions/n","type":"string"}""",
            """{"v":1,"next":{"v":2}}""", """{"v":1,"next":{"v":"x"}}""", """{"v":1,"next":{}}""");
        Add(With(Draft2019, """{"$defs":{"pos":{"minimum":0}},"$ref":"#/$defs/pos","maximum":10}"""), "5", "-1", "11");
        Add("""{"definitions":{"a":{"$id":"#anchor","type":"integer"}},"items":{"$ref":"#anchor"}}""", "[1]", "[\"x\"]");
        Add("""{"$id":"http://example.com/root.json","definitions":{"a":{"$id":"a.json","definitions":{"b":{"type":"integer"}},"properties":{"b":{"$ref":"#/definitions/b"}}}},"properties":{"x":{"$ref":"a.json"}}}""",
            """{"x":{"b":1}}""", """{"x":{"b":"s"}}""");
        Add("true", "1", "{}");
        Add("false", "1", "{}");
        Add("""{"properties":{"a":false,"b":true}}""", """{"a":1}""", """{"b":1}""");
        Add("""{"type":"string","format":"email"}""", "\"not-an-email\"");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_fast_path_agrees_with_JsonSchema_Net(string schemaText, string instanceText)
    {
        var schema = Assert.IsType<JsonSchemaDocument>(new JsonSchemaFormat().Parse(schemaText));
        using var instance = JsonDocument.Parse(instanceText);
        Assert.Equal(schema.IsValidByReference(instance.RootElement), schema.IsValidByFastPath(instance.RootElement));
    }

    [Fact]
    public void The_agreement_cases_exercise_the_fast_path()
    {
        // All but the four schemas that use another draft's keywords (left to JsonSchema.Net on purpose).
        var schemas = Cases().Select(row => (string)row[0]).Distinct(StringComparer.Ordinal).ToList();
        var slow = schemas.Where(s => !Assert.IsType<JsonSchemaDocument>(new JsonSchemaFormat().Parse(s)).HasFastPath).ToList();
        Assert.True(slow.Count == 4, string.Join(Environment.NewLine, slow));
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string","pattern":"^x"}},"required":["a"]}""")]
    [InlineData("""{"definitions":{"n":{"properties":{"next":{"$ref":"#/definitions/n"}}}},"$ref":"#/definitions/n"}""")]
    [InlineData("""{"$schema":"https://json-schema.org/draft/2020-12/schema","prefixItems":[true],"items":false}""")]
    public void Common_schemas_take_the_fast_path(string schemaText) =>
        Assert.True(Assert.IsType<JsonSchemaDocument>(new JsonSchemaFormat().Parse(schemaText)).HasFastPath);

    [Theory]
    [InlineData("""{"$schema":"https://json-schema.org/draft/2019-09/schema","unevaluatedProperties":false}""")]
    [InlineData("""{"$schema":"https://json-schema.org/draft/2020-12/schema","$dynamicAnchor":"a","items":{"$dynamicRef":"#a"}}""")]
    [InlineData("""{"$schema":"https://json-schema.org/draft/2019-09/schema","dependencies":{"a":["b"]}}""")]
    [InlineData("""{"prefixItems":[false]}""")]
    public void Schemas_with_other_keywords_are_left_to_JsonSchema_Net(string schemaText)
    {
        var schema = Assert.IsType<JsonSchemaDocument>(new JsonSchemaFormat().Parse(schemaText));
        Assert.False(schema.HasFastPath);
    }

    [Fact]
    public void Unevaluated_properties_are_still_enforced_without_the_fast_path()
    {
        var schema = new JsonSchemaFormat().Parse("""{"$schema":"https://json-schema.org/draft/2019-09/schema","properties":{"a":true},"unevaluatedProperties":false}""");
        Assert.Null(schema.ValidateJson("""{"a":1}"""u8));
        Assert.Contains("$", schema.ValidateJson("""{"a":1,"b":2}"""u8), StringComparison.Ordinal);
    }
}
