using Google.Protobuf.Reflection;

namespace Sluice.Schemas.Protobuf;

/// <summary>
/// Receives the known fields <see cref="ProtobufWireWalker"/> reads, so that validation (a no-op visitor, inlined by the
/// JIT because visitors are structs) and decoding share one traversal of the wire format.
/// </summary>
internal interface IWireVisitor
{
    /// <summary>A varint, 32-bit or 64-bit value (the raw bits; packed elements arrive one by one).</summary>
    void Scalar(FieldDescriptor field, ulong raw);

    /// <summary>A string's or bytes field's content; strings are already checked as UTF-8 where the syntax demands it.</summary>
    void Bytes(FieldDescriptor field, ReadOnlySpan<byte> value);

    /// <summary>A nested message, group or map entry starts; its fields follow until <see cref="ExitMessage"/>.</summary>
    void EnterMessage(FieldDescriptor field);

    void ExitMessage();
}
