using System.Text;
using Sluice.Schemas.Json;

namespace Sluice.Schemas.Tests.Json;

public sealed class JsonSchemaValidationTests
{
    private const string PersonSchema = """
        {
          "title": "Person",
          "type": "object",
          "properties": {
            "name": { "type": "string", "pattern": "^[A-Z][a-z]+$", "maxLength": 20 },
            "age": { "type": "integer", "minimum": 0 },
            "tags": { "type": "array", "items": { "type": "string" } },
            "address": {
              "type": "object",
              "properties": { "zip": { "type": "integer" }, "city": { "type": "string" } },
              "required": ["city"]
            }
          },
          "required": ["name"]
        }
        """;

    private static readonly ParsedSchema Person = new JsonSchemaFormat().Parse(PersonSchema);

    [Theory]
    [InlineData("""{"name":"Ada","age":36,"tags":["x"],"address":{"zip":12345,"city":"London"}}""")]
    [InlineData("""  {"name":"Ada"}  """)]
    [InlineData("""{"name":"Ada","extra":{"anything":[1,2,3]}}""")]
    public void Valid_records_pass(string record)
    {
        Assert.Null(Person.ValidateJson(Encoding.UTF8.GetBytes(record)));
        Assert.Null(Person.ValidatePayload(Encoding.UTF8.GetBytes(record)));
    }

    [Theory]
    [InlineData("""{"name":"Ada","age":"old"}""", "$.age:", "should be \"integer\"")]
    [InlineData("""{"age":3}""", "$:", "name")]
    [InlineData("""{"name":"ada"}""", "$.name:", "regular expression")]
    [InlineData("""{"name":"Ada","address":{"zip":"x","city":"Paris"}}""", "$.address.zip:", "should be \"integer\"")]
    [InlineData("""{"name":"Ada","address":{"zip":1}}""", "$.address:", "city")]
    [InlineData("""{"name":"Ada","tags":["a",7]}""", "$.tags[1]:", "should be \"string\"")]
    [InlineData("""[1]""", "$:", "should be \"object\"")]
    public void Invalid_records_name_the_path_and_the_rule(string record, string path, string rule)
    {
        var violation = Person.ValidateJson(Encoding.UTF8.GetBytes(record));
        Assert.NotNull(violation);
        Assert.Contains(path, violation, StringComparison.Ordinal);
        Assert.Contains(rule, violation, StringComparison.Ordinal);
        Assert.Equal(violation, Person.ValidatePayload(Encoding.UTF8.GetBytes(record)));
    }

    [Fact]
    public void Invalid_utf8_is_a_violation()
    {
        byte[] record = [(byte)'{', (byte)'"', (byte)'n', (byte)'a', (byte)'m', (byte)'e', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}'];
        var violation = Person.ValidateJson(record);
        Assert.NotNull(violation);
        Assert.Contains("not valid UTF-8", violation, StringComparison.Ordinal);
        Assert.Contains("offset 9", violation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"Ada" """, "not valid JSON")]
    [InlineData("""{"name":""", "not valid JSON")]
    [InlineData("""{"name":"Ada"} {}""", "after a single JSON value")]
    [InlineData("""{"name":"Ada"}x""", "not valid JSON")]
    [InlineData("""nul""", "not valid JSON")]
    [InlineData("""   """, "not valid JSON")]
    public void Malformed_json_is_a_violation(string record, string expected)
    {
        var violation = Person.ValidateJson(Encoding.UTF8.GetBytes(record));
        Assert.NotNull(violation);
        Assert.StartsWith("$:", violation, StringComparison.Ordinal);
        Assert.Contains(expected, violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_input_is_a_violation()
    {
        var violation = Person.ValidateJson([]);
        Assert.NotNull(violation);
        Assert.Contains("empty", violation, StringComparison.Ordinal);
        Assert.NotNull(Person.ValidatePayload([]));
    }

    [Fact]
    public void Deeply_nested_input_is_a_violation_not_an_exception()
    {
        var record = new string('[', 10_000) + new string(']', 10_000);
        var violation = Person.ValidateJson(Encoding.UTF8.GetBytes(record));
        Assert.NotNull(violation);
        Assert.Contains("not valid JSON", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_violations_are_summarised()
    {
        var schema = new JsonSchemaFormat().Parse("""{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"},"c":{"type":"integer"},"d":{"type":"integer"},"e":{"type":"integer"}}}""");
        var violation = schema.ValidateJson("""{"a":"x","b":"x","c":"x","d":"x","e":"x"}"""u8);
        Assert.NotNull(violation);
        Assert.Contains("$.a:", violation, StringComparison.Ordinal);
        Assert.Contains("(and 2 more)", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Local_references_and_recursion_are_followed()
    {
        var schema = new JsonSchemaFormat().Parse("""{"definitions":{"node":{"type":"object","properties":{"value":{"type":"integer"},"next":{"$ref":"#/definitions/node"}}}},"$ref":"#/definitions/node"}""");
        Assert.Null(schema.ValidateJson("""{"value":1,"next":{"value":2,"next":{"value":3}}}"""u8));
        var violation = schema.ValidateJson("""{"value":1,"next":{"value":2,"next":{"value":"three"}}}"""u8);
        Assert.NotNull(violation);
        Assert.Contains("$.next.next.value:", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void The_draft_decides_the_keywords()
    {
        // prefixItems is a 2020-12 keyword: draft-07 ignores it, 2020-12 applies it.
        var draft7 = new JsonSchemaFormat().Parse("""{"prefixItems":[{"type":"string"}]}""");
        var draft2020 = new JsonSchemaFormat().Parse("""{"$schema":"https://json-schema.org/draft/2020-12/schema","prefixItems":[{"type":"string"}]}""");
        Assert.Null(draft7.ValidateJson("[1]"u8));
        Assert.Contains("$[0]:", draft2020.ValidateJson("[1]"u8), StringComparison.Ordinal);
    }

    [Fact]
    public void A_false_schema_refuses_everything_and_a_true_one_accepts_everything()
    {
        var no = new JsonSchemaFormat().Parse("false");
        var yes = new JsonSchemaFormat().Parse("true");
        Assert.NotNull(no.ValidateJson("{}"u8));
        Assert.Null(yes.ValidateJson("{}"u8));
    }

    [Fact]
    public void Decoding_compacts_the_json()
    {
        Assert.Equal("""{"name":"Zoë","age":3}""", Person.DecodePayloadToJson(Encoding.UTF8.GetBytes("""{ "name" : "Zoë" ,  "age": 3 }""")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{} x")]
    public void Decoding_what_is_not_json_is_a_format_error(string payload) =>
        Assert.Throws<FormatException>(() => Person.DecodePayloadToJson(Encoding.UTF8.GetBytes(payload)));

    [Fact]
    public void Concurrent_validation_gives_the_same_answers()
    {
        var valid = Encoding.UTF8.GetBytes("""{"name":"Ada","age":36}""");
        var invalid = Encoding.UTF8.GetBytes("""{"name":"Ada","age":-1}""");
        var expected = Person.ValidateJson(invalid);
        Parallel.For(0, 2_000, i =>
        {
            Assert.Null(Person.ValidateJson(valid));
            Assert.Equal(expected, Person.ValidateJson(invalid));
        });
    }
}
