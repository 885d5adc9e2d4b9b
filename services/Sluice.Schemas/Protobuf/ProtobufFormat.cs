namespace Sluice.Schemas.Protobuf;

/// <summary>
/// The Protobuf schema format as Confluent Schema Registry serves it: a schema is one <c>.proto</c> file (or the base64 of
/// its <c>FileDescriptorProto</c>), and compatibility follows Confluent's Protobuf rules, which match fields by number.
/// </summary>
public sealed class ProtobufFormat : ISchemaFormat
{
    public SchemaType Type => SchemaType.Protobuf;

    /// <summary>
    /// Parses <c>.proto</c> source or the base64 of a <c>FileDescriptorProto</c> (Confluent's clients send either);
    /// imports other than the well-known types are refused, as Sluice does not support schema references.
    /// </summary>
    public ParsedSchema Parse(string text)
    {
        var (proto, file) = ProtobufParser.Parse(text);
        return new ProtobufSchema(text, proto, file);
    }

    /// <summary>Confluent's Protobuf rules (see <see cref="ProtobufCompatibility"/>): fields are matched by number, messages by name.</summary>
    public IReadOnlyList<string> CanRead(ParsedSchema reader, ParsedSchema writer)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);
        if (reader is not ProtobufSchema protobufReader || writer is not ProtobufSchema protobufWriter)
        {
            throw new ArgumentException("Both schemas must be Protobuf schemas.", reader is ProtobufSchema ? nameof(writer) : nameof(reader));
        }

        return ProtobufCompatibility.CanRead(protobufReader.File, protobufWriter.File);
    }
}
