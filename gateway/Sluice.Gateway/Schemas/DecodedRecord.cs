namespace Sluice.Gateway.Schemas;

/// <summary>
/// A record as a consumer that asked for decoding sees it: its JSON text (a plain JSON record as it is, a wire-format
/// record decoded through the schema its header names, with that <see cref="SchemaId"/>), or why it cannot be decoded.
/// </summary>
public readonly record struct DecodedRecord(string? Json, int? SchemaId, string? Error)
{
    public static DecodedRecord Failed(string error, int? schemaId = null) => new(null, schemaId, error);
}
