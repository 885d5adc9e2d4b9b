using System.Text.Json.Serialization;

namespace Sluice.Cli.Commands.Schemas;

// The parts of the schema registry's Confluent-compatible JSON that `sluice schemas` reads and writes (Confluent's own names).

internal sealed record RegisterSchema(
    [property: JsonPropertyName("schema")] string Schema,
    [property: JsonPropertyName("schemaType")] string SchemaType);

internal sealed record SchemaIdAnswer([property: JsonPropertyName("id")] int Id);

internal sealed record SubjectVersionAnswer(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("schemaType")] string? SchemaType,
    [property: JsonPropertyName("schema")] string Schema);

internal sealed record CompatibilityUpdate([property: JsonPropertyName("compatibility")] string Compatibility);

internal sealed record CompatibilityAnswer([property: JsonPropertyName("compatibilityLevel")] string CompatibilityLevel);

internal sealed record RegistryError(
    [property: JsonPropertyName("error_code")] int ErrorCode,
    [property: JsonPropertyName("message")] string? Message);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RegisterSchema))]
[JsonSerializable(typeof(SchemaIdAnswer))]
[JsonSerializable(typeof(SubjectVersionAnswer))]
[JsonSerializable(typeof(CompatibilityUpdate))]
[JsonSerializable(typeof(CompatibilityAnswer))]
[JsonSerializable(typeof(RegistryError))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<int>))]
[JsonSerializable(typeof(int))]
internal sealed partial class SchemaJsonContext : JsonSerializerContext;
