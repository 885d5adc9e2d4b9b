namespace Sluice.Schemas.Avro;

/// <summary>
/// A parsed Avro schema: its canonical form and name for the registry, and a precompiled node tree that validates
/// and decodes produced records without touching Apache.Avro's object model on the hot path. The JSON of a datum, as
/// checked and decoded, is the natural one: unions are the bare value, bytes and fixed base64, enums their symbol,
/// logical types their underlying type (a timestamp-millis is a number, a decimal base64 bytes), and NaN and the
/// infinities, which JSON cannot hold, the strings <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>.
/// </summary>
public sealed class AvroSchema : ParsedSchema
{
    internal AvroSchema(string text, global::Avro.Schema apacheSchema, AvroNode root)
        : base(text)
    {
        ApacheSchema = apacheSchema;
        Root = root;
        Canonical = AvroCanonical.Write(root);
        Name = root.DisplayName;
    }

    public override SchemaType Type => SchemaType.Avro;

    public override string Canonical { get; }

    /// <summary>The full name of a named schema (<c>com.acme.User</c>), else its type (<c>string</c>, <c>union</c>).</summary>
    public override string Name { get; }

    /// <summary>Apache.Avro's model of the same schema, for code that reads or writes datums with its readers and writers.</summary>
    public global::Avro.Schema ApacheSchema { get; }

    internal AvroNode Root { get; }

    public override string? ValidatePayload(ReadOnlySpan<byte> payload) => AvroBinary.Validate(Root, payload);

    public override string? ValidateJson(ReadOnlySpan<byte> utf8Json) => AvroJson.Validate(Root, utf8Json);

    public override string DecodePayloadToJson(ReadOnlySpan<byte> payload) => AvroBinary.Decode(Root, payload);
}
