using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Sluice.Schemas.Protobuf;

/// <summary>
/// A parsed Protobuf schema: one <c>.proto</c> file (imports limited to the well-known types) resolved to Google.Protobuf
/// descriptors. Records are checked and decoded by walking the wire format against the descriptors, because Sluice has
/// no generated classes for its tenants' schemas.
/// </summary>
public sealed class ProtobufSchema : ParsedSchema
{
    private readonly WireLayout _layout;

    internal ProtobufSchema(string text, FileDescriptorProto proto, FileDescriptor file)
        : base(text)
    {
        Proto = proto;
        File = file;
        Canonical = proto.ToByteString().ToBase64();
        Name = file.MessageTypes[0].FullName;
        _layout = new WireLayout(file, isProto3: proto.Syntax == "proto3");
    }

    public override SchemaType Type => SchemaType.Protobuf;

    /// <summary>The normalised <c>FileDescriptorProto</c> (no source positions, a fixed file name), serialised, base64.</summary>
    public override string Canonical { get; }

    /// <summary>The first message's full name (<c>shop.Order</c>), the one Confluent's serialisers write as index [0].</summary>
    public override string Name { get; }

    /// <summary>The normalised descriptor the compatibility check compares.</summary>
    internal FileDescriptorProto Proto { get; }

    /// <summary>The resolved file: its messages, fields and the well-known types they use.</summary>
    internal FileDescriptor File { get; }

    /// <summary>
    /// Resolves the message-index array to the message it names, then walks the wire format against that message
    /// without allocating (<see cref="ProtobufWireWalker"/>). Unknown field numbers are allowed, as Protobuf readers skip them.
    /// </summary>
    public override string? ValidatePayload(ReadOnlySpan<byte> payload)
    {
        var message = MessageIndexes.Resolve(File, payload, out var consumed, out var indexError);
        if (message is null)
        {
            return indexError;
        }

        var visitor = default(NoOpVisitor);
        return ProtobufWireWalker.Walk(_layout, message, payload[consumed..], ref visitor)?.ToString();
    }

    /// <summary>The proto3 JSON mapping of the first message (JSON or original field names; unknown fields refused).</summary>
    public override string? ValidateJson(ReadOnlySpan<byte> utf8Json) =>
        ProtobufJsonValidator.Validate(File.MessageTypes[0], utf8Json);

    /// <summary>The proto3 JSON of the message the index array names, as Google.Protobuf's <c>JsonFormatter</c> writes it.</summary>
    public override string DecodePayloadToJson(ReadOnlySpan<byte> payload)
    {
        var message = MessageIndexes.Resolve(File, payload, out var consumed, out var indexError)
            ?? throw new FormatException(indexError);
        var decoded = ProtobufDecoder.Decode(_layout, message, payload[consumed..]);
        return ProtobufJsonWriter.Write(decoded);
    }
}
