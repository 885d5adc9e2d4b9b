namespace Sluice.IntegrationTests.SchemaRegistry;

/// <summary>Schemas the registry tests register: distinct JSON Schemas on demand, and an Avro record with compatible and incompatible successors.</summary>
internal static class TestSchemas
{
    /// <summary>A JSON Schema of an object with one required string property named <paramref name="property"/>: distinct names, distinct schemas.</summary>
    public static string Json(string property) =>
        $$$"""{"type":"object","properties":{"{{{property}}}":{"type":"string"}},"required":["{{{property}}}"]}""";

    /// <summary>The same schema as <see cref="Json"/> with other whitespace and key order: one canonical form, one id.</summary>
    public static string JsonReformatted(string property) =>
        $$$"""
        {
          "required": [ "{{{property}}}" ],
          "properties": { "{{{property}}}": { "type": "string" } },
          "type": "object"
        }
        """;

    public const string AvroUser = """{"type":"record","name":"User","namespace":"sluice.test","fields":[{"name":"name","type":"string"}]}""";

    /// <summary>Adds a field with a default: BACKWARD compatible with <see cref="AvroUser"/>.</summary>
    public const string AvroUserWithEmail =
        """{"type":"record","name":"User","namespace":"sluice.test","fields":[{"name":"name","type":"string"},{"name":"email","type":"string","default":""}]}""";

    /// <summary>Adds a required field (no default): not BACKWARD compatible, the new reader has nothing for 'age' in old records.</summary>
    public const string AvroUserWithAge =
        """{"type":"record","name":"User","namespace":"sluice.test","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"}]}""";
}
