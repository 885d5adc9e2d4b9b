using System.Text;

namespace Sluice.Schemas.Tests.Avro;

public sealed class AvroJsonTests
{
    private const string ValidUser = """
        {"id":1,"name":"Zoë","age":null,"active":true,"score":1.5,"ratio":2,"avatar":"AQID","suit":"CLUBS","hash":"3q2+7w==",
         "tags":["x"],"attrs":{"a":1},"address":{"zip":"75001"}}
        """;

    private static readonly ParsedSchema User = AvroTestData.Parse(AvroTestData.UserSchema);

    private static string? Validate(ParsedSchema schema, string json) => schema.ValidateJson(Encoding.UTF8.GetBytes(json));

    private static string With(string property, string value)
    {
        var start = ValidUser.IndexOf($"\"{property}\":", StringComparison.Ordinal) + property.Length + 3;
        var end = start;
        var depth = 0;
        var inString = false;
        for (; end < ValidUser.Length; end++)
        {
            var c = ValidUser[end];
            if (c == '"' && ValidUser[end - 1] != '\\')
            {
                inString = !inString;
            }
            else if (!inString && c is '{' or '[')
            {
                depth++;
            }
            else if (!inString && c is '}' or ']')
            {
                if (depth == 0)
                {
                    break;
                }

                depth--;
            }
            else if (!inString && depth == 0 && c == ',')
            {
                break;
            }
        }

        return ValidUser[..start] + value + ValidUser[end..];
    }

    [Fact]
    public void TheNaturalShapeIsValid() => Assert.Null(Validate(User, ValidUser));

    [Theory]
    [InlineData("age", "7")]
    [InlineData("id", "9007199254740993")]
    [InlineData("id", "5.0")]
    [InlineData("id", "1e3")]
    [InlineData("score", "-1e300")]
    [InlineData("score", "\"NaN\"")]
    [InlineData("ratio", "\"-Infinity\"")]
    [InlineData("avatar", "\"\"")]
    [InlineData("tags", "[]")]
    [InlineData("attrs", "{}")]
    public void OtherValidValuesPass(string property, string value) => Assert.Null(Validate(User, With(property, value)));

    [Fact]
    public void AFieldWithADefaultMayBeLeftOut() =>
        Assert.Null(Validate(User, ValidUser.Replace("\"age\":null,", "", StringComparison.Ordinal)));

    [Theory]
    [InlineData("age", "\"7\"", "$.age: a string matches no branch of the union [null, int]")]
    [InlineData("age", "3000000000", "$.age: 3000000000 is out of range for an int")]
    [InlineData("age", "1.5", "$.age: expected an int, got the non-integral number 1.5")]
    [InlineData("id", "9223372036854775808", "$.id: 9223372036854775808 is out of range for a long")]
    [InlineData("id", "\"1\"", "$.id: expected a long, got a string")]
    [InlineData("name", "null", "$.name: expected a string, got null")]
    [InlineData("active", "1", "$.active: expected a boolean, got a number")]
    [InlineData("ratio", "1e300", "$.ratio: 1e300 is out of range for a float")]
    [InlineData("score", "\"1.5\"", "$.score: expected a double, got a string")]
    [InlineData("avatar", "\"not base64!\"", "$.avatar: expected bytes as a base64 string, got a string that is not base64")]
    [InlineData("hash", "\"AQID\"", "$.hash: expected 4 bytes of fixed, got 3")]
    [InlineData("suit", "\"JOKER\"", "$.suit: 'JOKER' is not a symbol of enum 'com.acme.Suit' (SPADES, HEARTS, DIAMONDS, CLUBS)")]
    [InlineData("tags", "[\"a\",2]", "$.tags[1]: expected a string, got a number")]
    [InlineData("tags", "{}", "$.tags: expected an array, got an object")]
    [InlineData("attrs", "{\"a\":1,\"b c\":\"x\"}", "$.attrs[\"b c\"]: expected an int, got a string")]
    [InlineData("address", "{}", "$.address.zip: the required field 'zip' (string, no default) is missing")]
    [InlineData("address", "{\"zip\":\"1\",\"city\":\"Paris\"}", "$.address.city: record 'com.acme.Address' has no field named 'city'")]
    [InlineData("address", "{\"zip\":\"1\",\"zip\":\"2\"}", "$.address.zip: record 'com.acme.Address' has the property 'zip' more than once")]
    [InlineData("address", "\"75001\"", "$.address: expected an object (record 'com.acme.Address'), got a string")]
    public void ViolationsNameThePathAndTheProblem(string property, string value, string expected) =>
        Assert.Equal(expected, Validate(User, With(property, value)));

    [Theory]
    [InlineData("", "$: not valid JSON")]
    [InlineData("{\"id\":", "$: not valid JSON")]
    [InlineData("{} {}", "$: not a single JSON value")]
    [InlineData("[1]", "$: expected an object (record 'com.acme.User'), got an array")]
    [InlineData("{\"id\":1}", "$.name: the required field 'name'")]
    public void MalformedJsonIsAViolationNotAnException(string json, string expected) =>
        Assert.StartsWith(expected, Validate(User, json), StringComparison.Ordinal);

    [Fact]
    public void InvalidUtf8IsAViolation() =>
        Assert.StartsWith("$: not valid JSON", User.ValidateJson([(byte)'"', 0xFF, (byte)'"']), StringComparison.Ordinal);

    [Fact]
    public void UnionsTakeTheFirstMatchingBranch()
    {
        var union = AvroTestData.Parse("""["null","long","string",{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]},{"type":"map","values":"string"}]""");

        Assert.Null(Validate(union, "null"));
        Assert.Null(Validate(union, "12"));
        Assert.Null(Validate(union, "\"x\""));
        Assert.Null(Validate(union, "{\"a\":1}"));
        Assert.Null(Validate(union, "{\"b\":\"y\"}"));
        Assert.Equal("$: a boolean matches no branch of the union [null, long, string, R, map]", Validate(union, "true"));
        Assert.Equal("$: an object matches no branch of the union [null, long, string, R, map]", Validate(union, "{\"b\":1}"));
    }

    [Fact]
    public void DeeplyNestedJsonIsAViolation()
    {
        var list = AvroTestData.Parse(AvroTestData.LinkedListSchema);
        var json = new StringBuilder();
        for (var i = 0; i < 300; i++)
        {
            json.Append("{\"value\":1,\"next\":");
        }

        json.Append("null").Append('}', 300);

        Assert.StartsWith("$: not valid JSON", Validate(list, json.ToString()), StringComparison.Ordinal);
        Assert.Null(Validate(list, "{\"value\":1,\"next\":{\"value\":2}}"));
    }
}
