namespace Sluice.Schemas;

/// <summary>
/// A parsed, valid schema of one format: what the registry stores and compares, and what checks and decodes the
/// records produced against it. Instances are immutable and thread-safe: the gateway caches one per schema id and
/// validates records from many requests against it at once, so the validate methods are allocation-light and
/// never throw for bad input (they return the violation).
/// </summary>
public abstract class ParsedSchema
{
    protected ParsedSchema(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
    }

    /// <summary>The schema text as it was registered.</summary>
    public string Text { get; }

    public abstract SchemaType Type { get; }

    /// <summary>
    /// The normalised text: two texts that define the same schema (whitespace, key order, default-valued attributes)
    /// have the same canonical form, so registering an identical schema finds the existing id. Avro: Parsing Canonical
    /// Form plus what it drops that matters for compatibility (defaults, aliases); JSON Schema: the JSON with object
    /// keys sorted and no insignificant whitespace; Protobuf: the serialised, normalised <c>FileDescriptorProto</c>,
    /// base64.
    /// </summary>
    public abstract string Canonical { get; }

    /// <summary>How messages name the schema: the Avro full name, the JSON Schema's title (or <c>JSON schema</c>), the first Protobuf message's full name.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Checks a record's payload in Confluent's wire format, after the 5-byte header (<see cref="ConfluentWire"/>): Avro
    /// binary; UTF-8 JSON; for Protobuf the message-index array (zig-zag varints, a lone 0 for the first message) then the
    /// message. Null when the payload is a valid instance, else the violation in a sentence, naming the field path
    /// (<c>$.address.zip: expected a string, got a number</c>). The whole payload must be consumed: trailing bytes are a violation.
    /// </summary>
    public abstract string? ValidatePayload(ReadOnlySpan<byte> payload);

    /// <summary>
    /// Checks a plain UTF-8 JSON record (no wire header) against the schema: JSON Schema by validation; Avro by the
    /// natural JSON shape of a datum (a record is an object with every field that has no default, a nullable union is
    /// the value or null, bytes and fixed are strings, enums their symbol); Protobuf by the proto3 JSON mapping of the
    /// first message. Null when valid, else the violation as in <see cref="ValidatePayload"/>.
    /// </summary>
    public abstract string? ValidateJson(ReadOnlySpan<byte> utf8Json);

    /// <summary>Decodes a wire payload (as <see cref="ValidatePayload"/> takes it) to JSON text, for consumers that ask to see records decoded. Throws <see cref="FormatException"/> when it is not an instance.</summary>
    public abstract string DecodePayloadToJson(ReadOnlySpan<byte> payload);
}
