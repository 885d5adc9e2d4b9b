using System.Text.Unicode;
using Google.Protobuf.Reflection;

namespace Sluice.Schemas.Protobuf;

/// <summary>
/// Walks a Protobuf message in the wire format against its descriptor, checking as it goes: valid tags, each known
/// field's wire type (packed repeated scalars allowed), varints of at most 10 bytes, lengths within the data, UTF-8
/// strings in proto3, nested messages and groups to a bounded depth, proto2 required fields, and the whole span
/// consumed. Unknown fields are skipped, not refused: that is how Protobuf stays forward compatible. It never throws
/// for bad input and always advances, so it cannot loop forever.
/// </summary>
internal static class ProtobufWireWalker
{
    /// <summary>Deeper nesting than this is refused, which bounds the stack a hostile record can use.</summary>
    public const int MaxDepth = 100;

    /// <summary>Walks <paramref name="data"/> as one <paramref name="message"/>; null when it is a valid instance.</summary>
    public static WireViolation? Walk<TVisitor>(WireLayout layout, MessageDescriptor message, ReadOnlySpan<byte> data, ref TVisitor visitor)
        where TVisitor : struct, IWireVisitor =>
        WalkMessage(layout, message, data, depth: 0, groupNumber: 0, ref visitor, out _);

    /// <summary>
    /// Walks fields until the data ends, or, for a group (<paramref name="groupNumber"/> not 0), until its end-group tag;
    /// <paramref name="consumed"/> is then the bytes up to and including that tag.
    /// </summary>
    private static WireViolation? WalkMessage<TVisitor>(
        WireLayout layout, MessageDescriptor message, ReadOnlySpan<byte> data, int depth, int groupNumber, ref TVisitor visitor, out int consumed)
        where TVisitor : struct, IWireVisitor
    {
        consumed = 0;
        if (depth > MaxDepth)
        {
            return new WireViolation($"messages are nested more than {MaxDepth} deep.");
        }

        var required = layout.RequiredFields(message);
        Span<bool> seen = required.Length <= 64 ? stackalloc bool[required.Length] : new bool[required.Length];
        var position = 0;
        var ended = false;
        while (position < data.Length)
        {
            var tagStart = position;
            if (!WireFormat.TryReadVarint(data, ref position, out var tag))
            {
                return new WireViolation($"the field tag at byte {tagStart} is a truncated or malformed varint.");
            }

            var number = tag >> 3;
            var wireType = (int)(tag & 7);
            if (number == 0 || number > WireFormat.MaxFieldNumber)
            {
                return new WireViolation($"the field tag at byte {tagStart} has field number {number}, outside 1 to {WireFormat.MaxFieldNumber}.");
            }

            if (wireType == WireFormat.EndGroup)
            {
                if (groupNumber != 0 && number == (ulong)groupNumber)
                {
                    ended = true;
                    break;
                }

                return new WireViolation($"an end-group tag for field {number} at byte {tagStart} closes no open group.");
            }

            var field = message.FindFieldByNumber((int)number);
            if (field is null)
            {
                var skipError = SkipUnknown(data, ref position, (int)number, wireType);
                if (skipError is not null)
                {
                    return skipError;
                }

                continue;
            }

            var error = WalkField(layout, field, wireType, data, ref position, depth, ref visitor);
            if (error is not null)
            {
                return error.Under(field.Name);
            }

            for (var i = 0; i < required.Length; i++)
            {
                if (required[i] == field)
                {
                    seen[i] = true;
                }
            }
        }

        if (groupNumber != 0 && !ended)
        {
            return new WireViolation("the group has no end-group tag: the data ends inside it.");
        }

        for (var i = 0; i < required.Length; i++)
        {
            if (!seen[i])
            {
                return new WireViolation("the required field is missing.").Under(required[i].Name);
            }
        }

        consumed = position;
        return null;
    }

    private static WireViolation? WalkField<TVisitor>(
        WireLayout layout, FieldDescriptor field, int wireType, ReadOnlySpan<byte> data, ref int position, int depth, ref TVisitor visitor)
        where TVisitor : struct, IWireVisitor
    {
        var expected = ExpectedWireType(field.FieldType);
        if (wireType == WireFormat.LengthDelimited && field.IsRepeated && expected is WireFormat.Varint or WireFormat.Fixed32 or WireFormat.Fixed64)
        {
            return WalkPacked(field, expected, data, ref position, ref visitor);
        }

        if (wireType != expected)
        {
            return new WireViolation(
                $"expected wire type {WireFormat.WireTypeName(expected)} for {TypeName(field)}, got wire type {WireFormat.WireTypeName(wireType)}.");
        }

        switch (wireType)
        {
            case WireFormat.Varint:
                if (!WireFormat.TryReadVarint(data, ref position, out var varint))
                {
                    return new WireViolation("the value is a truncated or malformed varint.");
                }

                visitor.Scalar(field, varint);
                return null;
            case WireFormat.Fixed32:
                if (data.Length - position < 4)
                {
                    return new WireViolation($"the 32-bit value is truncated: {data.Length - position} of 4 bytes.");
                }

                visitor.Scalar(field, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data[position..]));
                position += 4;
                return null;
            case WireFormat.Fixed64:
                if (data.Length - position < 8)
                {
                    return new WireViolation($"the 64-bit value is truncated: {data.Length - position} of 8 bytes.");
                }

                visitor.Scalar(field, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data[position..]));
                position += 8;
                return null;
            case WireFormat.StartGroup:
            {
                visitor.EnterMessage(field);
                var error = WalkMessage(layout, field.MessageType, data[position..], depth + 1, field.FieldNumber, ref visitor, out var consumed);
                if (error is not null)
                {
                    return error;
                }

                visitor.ExitMessage();
                position += consumed;
                return null;
            }

            default:
            {
                var lengthError = ReadLength(data, ref position, out var length);
                if (lengthError is not null)
                {
                    return lengthError;
                }

                var content = data.Slice(position, length);
                position += length;
                if (field.FieldType == FieldType.Message)
                {
                    visitor.EnterMessage(field);
                    var error = WalkMessage(layout, field.MessageType, content, depth + 1, groupNumber: 0, ref visitor, out _);
                    if (error is not null)
                    {
                        return error;
                    }

                    visitor.ExitMessage();
                    return null;
                }

                if (field.FieldType == FieldType.String && layout.ChecksUtf8(field) && !Utf8.IsValid(content))
                {
                    return new WireViolation("the string is not valid UTF-8.");
                }

                visitor.Bytes(field, content);
                return null;
            }
        }
    }

    private static WireViolation? WalkPacked<TVisitor>(FieldDescriptor field, int elementWireType, ReadOnlySpan<byte> data, ref int position, ref TVisitor visitor)
        where TVisitor : struct, IWireVisitor
    {
        var lengthError = ReadLength(data, ref position, out var length);
        if (lengthError is not null)
        {
            return lengthError;
        }

        var content = data.Slice(position, length);
        position += length;
        switch (elementWireType)
        {
            case WireFormat.Fixed32:
                if (content.Length % 4 != 0)
                {
                    return new WireViolation($"the packed 32-bit values take {content.Length} bytes, not a multiple of 4.");
                }

                for (var i = 0; i < content.Length; i += 4)
                {
                    visitor.Scalar(field, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(content[i..]));
                }

                return null;
            case WireFormat.Fixed64:
                if (content.Length % 8 != 0)
                {
                    return new WireViolation($"the packed 64-bit values take {content.Length} bytes, not a multiple of 8.");
                }

                for (var i = 0; i < content.Length; i += 8)
                {
                    visitor.Scalar(field, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(content[i..]));
                }

                return null;
            default:
                var inner = 0;
                while (inner < content.Length)
                {
                    if (!WireFormat.TryReadVarint(content, ref inner, out var value))
                    {
                        return new WireViolation("a packed value is a truncated or malformed varint.");
                    }

                    visitor.Scalar(field, value);
                }

                return null;
        }
    }

    private static WireViolation? SkipUnknown(ReadOnlySpan<byte> data, ref int position, int number, int wireType)
    {
        switch (wireType)
        {
            case WireFormat.Varint:
                return WireFormat.TryReadVarint(data, ref position, out _)
                    ? null
                    : new WireViolation($"unknown field {number}'s value is a truncated or malformed varint.");
            case WireFormat.Fixed64:
                if (data.Length - position < 8)
                {
                    return new WireViolation($"unknown field {number}'s 64-bit value is truncated.");
                }

                position += 8;
                return null;
            case WireFormat.Fixed32:
                if (data.Length - position < 4)
                {
                    return new WireViolation($"unknown field {number}'s 32-bit value is truncated.");
                }

                position += 4;
                return null;
            case WireFormat.LengthDelimited:
                var error = ReadLength(data, ref position, out var length);
                if (error is not null)
                {
                    return new WireViolation($"unknown field {number}: {error.Problem}");
                }

                position += length;
                return null;
            case WireFormat.StartGroup:
                return new WireViolation($"unknown field {number} is a group (wire type 3); groups are only accepted for fields the schema declares as groups.");
            default:
                return new WireViolation($"field {number} has wire type {wireType}, which does not exist.");
        }
    }

    private static WireViolation? ReadLength(ReadOnlySpan<byte> data, ref int position, out int length)
    {
        length = 0;
        if (!WireFormat.TryReadVarint(data, ref position, out var raw))
        {
            return new WireViolation("the length prefix is a truncated or malformed varint.");
        }

        var remaining = data.Length - position;
        if (raw > (ulong)remaining)
        {
            return new WireViolation($"the length {raw} exceeds the {remaining} bytes remaining.");
        }

        length = (int)raw;
        return null;
    }

    internal static int ExpectedWireType(FieldType type) => type switch
    {
        FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64 => WireFormat.Fixed64,
        FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32 => WireFormat.Fixed32,
        FieldType.String or FieldType.Bytes or FieldType.Message => WireFormat.LengthDelimited,
        FieldType.Group => WireFormat.StartGroup,
        _ => WireFormat.Varint,
    };

    /// <summary>The field's type as a .proto names it: <c>int64</c>, <c>message shop.Money</c>, <c>enum shop.Status</c>.</summary>
    internal static string TypeName(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Message => $"message {field.MessageType.FullName}",
        FieldType.Group => $"group {field.MessageType.FullName}",
        FieldType.Enum => $"enum {field.EnumType.FullName}",
        _ => ScalarName(field.FieldType),
    };

    internal static string ScalarName(FieldType type) => type switch
    {
        FieldType.Double => "double",
        FieldType.Float => "float",
        FieldType.Int64 => "int64",
        FieldType.UInt64 => "uint64",
        FieldType.Int32 => "int32",
        FieldType.Fixed64 => "fixed64",
        FieldType.Fixed32 => "fixed32",
        FieldType.Bool => "bool",
        FieldType.String => "string",
        FieldType.Bytes => "bytes",
        FieldType.UInt32 => "uint32",
        FieldType.SFixed32 => "sfixed32",
        FieldType.SFixed64 => "sfixed64",
        FieldType.SInt32 => "sint32",
        FieldType.SInt64 => "sint64",
        FieldType.Enum => "enum",
        FieldType.Group => "group",
        _ => "message",
    };
}
