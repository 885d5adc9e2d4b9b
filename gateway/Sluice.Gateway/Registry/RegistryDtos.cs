using System.Text.Json.Serialization;

namespace Sluice.Gateway.Registry;

/// <summary>A schema reference, as Confluent's API spells it (Sluice refuses schemas that have any).</summary>
public sealed record SchemaReferenceDto(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("subject")] string? Subject,
    [property: JsonPropertyName("version")] int? Version);

/// <summary>
/// The body of a registration, a look-up or a compatibility check. <c>schemaType</c> missing is AVRO. <c>id</c> and <c>version</c>
/// only in IMPORT mode. Confluent's newer fields (<c>metadata</c>, <c>ruleSet</c>) are accepted and ignored when null.
/// </summary>
public sealed record SchemaBody(
    [property: JsonPropertyName("schema")] string? Schema,
    [property: JsonPropertyName("schemaType")] string? SchemaType,
    [property: JsonPropertyName("references")] SchemaReferenceDto[]? References,
    [property: JsonPropertyName("id")] int? Id,
    [property: JsonPropertyName("version")] int? Version);

/// <summary>What a registration answers.</summary>
public sealed record SchemaIdDto([property: JsonPropertyName("id")] int Id);

/// <summary>A schema by id. <c>schemaType</c> and <c>references</c> are left out for AVRO and for none, as Confluent does.</summary>
public sealed record SchemaDto(
    [property: JsonPropertyName("schema")] string Schema,
    [property: JsonPropertyName("schemaType")] string? SchemaType,
    [property: JsonPropertyName("references")] SchemaReferenceDto[]? References);

/// <summary>A version of a subject with its schema.</summary>
public sealed record SubjectVersionDto(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("schemaType")] string? SchemaType,
    [property: JsonPropertyName("schema")] string Schema,
    [property: JsonPropertyName("references")] SchemaReferenceDto[]? References);

/// <summary>A subject and version that use a schema.</summary>
public sealed record SubjectVersionRefDto(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("version")] int Version);

/// <summary>A compatibility check's answer; <c>messages</c> only with <c>?verbose=true</c>.</summary>
public sealed record CompatibilityDto(
    [property: JsonPropertyName("is_compatible")] bool IsCompatible,
    [property: JsonPropertyName("messages")] IReadOnlyList<string>? Messages);

/// <summary>The body of <c>PUT /config</c>.</summary>
public sealed record ConfigBody([property: JsonPropertyName("compatibility")] string? Compatibility);

/// <summary>What <c>PUT /config</c> answers.</summary>
public sealed record ConfigUpdateDto([property: JsonPropertyName("compatibility")] string Compatibility);

/// <summary>What <c>GET</c> and <c>DELETE /config</c> answer.</summary>
public sealed record ConfigDto([property: JsonPropertyName("compatibilityLevel")] string CompatibilityLevel);

/// <summary>The body of <c>PUT /mode</c> and what the mode endpoints answer.</summary>
public sealed record ModeDto([property: JsonPropertyName("mode")] string? Mode);

/// <summary>Every error: Confluent's shape, which its clients read the code from.</summary>
public sealed record RegistryErrorDto(
    [property: JsonPropertyName("error_code")] int ErrorCode,
    [property: JsonPropertyName("message")] string Message);
