using Sluice.Schemas;

namespace Sluice.Gateway.Schemas;

/// <summary>
/// One live version of a subject, parsed, with the prefix of the message a record that violates it gets: built once
/// when the subject is loaded, so refusing a record costs one concatenation and accepting one costs nothing but the
/// validation itself.
/// </summary>
public sealed class LiveSchemaVersion
{
    private readonly string _invalidPrefix;

    /// <summary>A version whose schema parsed.</summary>
    public LiveSchemaVersion(string subject, int version, int schemaId, ParsedSchema schema)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(schema);
        Version = version;
        SchemaId = schemaId;
        Schema = schema;
        Label = $"schema '{subject}' version {version} (id {schemaId}, {FormatName(schema.Type)} '{schema.Name}')";
        _invalidPrefix = $"record is not valid against {Label}: ";
    }

    /// <summary>A version whose stored schema this gateway cannot use (<paramref name="reason"/>): every record checked against it is refused with that reason.</summary>
    public LiveSchemaVersion(string subject, int version, int schemaId, string schemaType, string reason)
    {
        ArgumentNullException.ThrowIfNull(subject);
        Version = version;
        SchemaId = schemaId;
        Label = $"schema '{subject}' version {version} (id {schemaId}, {schemaType})";
        _invalidPrefix = string.Empty;
        Unusable = $"{Label} cannot be used to check records: {reason}";
    }

    public int Version { get; }

    public int SchemaId { get; }

    /// <summary>The parsed schema; null when <see cref="Unusable"/> says why there is none.</summary>
    public ParsedSchema? Schema { get; }

    /// <summary>How messages name the version: <c>schema 'orders-value' version 3 (id 17, Avro 'shop.Order')</c>.</summary>
    public string Label { get; }

    /// <summary>Why the stored schema cannot be used (it does not parse, or its format is not served); null when it can.</summary>
    public string? Unusable { get; }

    /// <summary>Checks a wire-format payload (after the 5-byte header): null when valid, else the message the record is refused with.</summary>
    public string? CheckPayload(ReadOnlySpan<byte> payload)
    {
        if (Schema is null)
        {
            return Unusable;
        }

        return Schema.ValidatePayload(payload) is { } violation ? _invalidPrefix + violation : null;
    }

    /// <summary>Checks a plain UTF-8 JSON record: null when valid, else the message the record is refused with.</summary>
    public string? CheckJson(ReadOnlySpan<byte> utf8Json)
    {
        if (Schema is null)
        {
            return Unusable;
        }

        return Schema.ValidateJson(utf8Json) is { } violation ? _invalidPrefix + violation : null;
    }

    /// <summary>A format as messages name it.</summary>
    public static string FormatName(SchemaType type) => type switch
    {
        SchemaType.Avro => "Avro",
        SchemaType.Json => "JSON Schema",
        SchemaType.Protobuf => "Protobuf",
        _ => type.ToString(),
    };
}
