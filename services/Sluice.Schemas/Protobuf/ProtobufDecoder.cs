using System.Text;
using Google.Protobuf.Reflection;

namespace Sluice.Schemas.Protobuf;

/// <summary>Decodes a wire-format message into a <see cref="DecodedMessage"/> tree through the validator's own traversal, so that what decodes is exactly what validates.</summary>
internal static class ProtobufDecoder
{
    /// <summary>Decodes <paramref name="data"/> as <paramref name="message"/>; throws <see cref="FormatException"/> with the violation when it is not an instance.</summary>
    public static DecodedMessage Decode(WireLayout layout, MessageDescriptor message, ReadOnlySpan<byte> data)
    {
        var root = new DecodedMessage(message);
        var visitor = new Visitor(root);
        var violation = ProtobufWireWalker.Walk(layout, message, data, ref visitor);
        return violation is null ? root : throw new FormatException(violation.ToString());
    }

    private static object ToValue(FieldDescriptor field, ulong raw) => field.FieldType switch
    {
        FieldType.Int32 or FieldType.Enum => (int)raw,
        FieldType.SFixed32 => (int)(uint)raw,
        FieldType.UInt32 or FieldType.Fixed32 => (uint)raw,
        FieldType.Int64 or FieldType.SFixed64 => (long)raw,
        FieldType.UInt64 or FieldType.Fixed64 => raw,
        FieldType.SInt32 => WireFormat.DecodeZigZag32((uint)raw),
        FieldType.SInt64 => WireFormat.DecodeZigZag64(raw),
        FieldType.Bool => raw != 0,
        FieldType.Float => BitConverter.Int32BitsToSingle((int)(uint)raw),
        _ => BitConverter.Int64BitsToDouble((long)raw),
    };

    /// <summary>Builds the tree: a stack of the messages being filled, the innermost on top.</summary>
    private struct Visitor : IWireVisitor
    {
        private readonly Stack<DecodedMessage> _open;

        public Visitor(DecodedMessage root)
        {
            _open = new Stack<DecodedMessage>();
            _open.Push(root);
        }

        public readonly void Scalar(FieldDescriptor field, ulong raw) => _open.Peek().Set(field, ToValue(field, raw));

        public readonly void Bytes(FieldDescriptor field, ReadOnlySpan<byte> value) =>
            _open.Peek().Set(field, field.FieldType == FieldType.String ? Encoding.UTF8.GetString(value) : value.ToArray());

        public readonly void EnterMessage(FieldDescriptor field) => _open.Push(_open.Peek().Child(field));

        public readonly void ExitMessage() => _open.Pop();
    }
}
