using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Sluice.Schemas.Avro;

/// <summary>
/// Walks Avro binary over a precompiled <see cref="AvroNode"/> tree: validates a payload without allocating, and, given
/// a JSON writer, decodes it to the natural JSON in the same pass. Hostile input is bounded: every length and block
/// count is checked against the bytes left, nesting against <see cref="AvroLimits.MaxDepth"/>, and zero-width items
/// against <see cref="AvroLimits.MaxZeroWidthItems"/>, so the walk never throws, overflows the stack or loops forever.
/// </summary>
internal static class AvroBinary
{
    private const int MaxIntVarintBytes = 5;
    private const int MaxLongVarintBytes = 10;

    private enum Varint
    {
        Ok,
        Truncated,
        TooLong,
        Overflow,
    }

    /// <summary>Null when <paramref name="payload"/> is exactly one instance of <paramref name="root"/>, else the violation.</summary>
    public static string? Validate(AvroNode root, ReadOnlySpan<byte> payload) => Walk(root, payload, writer: null)?.Format();

    /// <summary>Decodes <paramref name="payload"/> to natural JSON; throws <see cref="FormatException"/> when it is not an instance.</summary>
    public static string Decode(AvroNode root, ReadOnlySpan<byte> payload)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, payload.Length * 2));
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { MaxDepth = AvroLimits.MaxDepth + 1 }))
        {
            var violation = Walk(root, payload, writer);
            if (violation is not null)
            {
                throw new FormatException($"The payload is not an instance of the Avro schema: {violation.Format()}.");
            }
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static AvroViolation? Walk(AvroNode root, ReadOnlySpan<byte> payload, Utf8JsonWriter? writer)
    {
        var pos = 0;
        var zeroWidthBudget = AvroLimits.MaxZeroWidthItems;
        var violation = Datum(root, payload, ref pos, ref zeroWidthBudget, depth: 0, writer);
        if (violation is not null)
        {
            return violation;
        }

        var trailing = payload.Length - pos;
        return trailing == 0
            ? null
            : new AvroViolation($"{trailing} trailing byte{(trailing == 1 ? "" : "s")} after the {root.DisplayName} instance, which ends at byte {pos}");
    }

    private static AvroViolation? Datum(AvroNode node, ReadOnlySpan<byte> data, ref int pos, ref long zeroWidthBudget, int depth, Utf8JsonWriter? writer)
    {
        switch (node.Kind)
        {
            case AvroKind.Null:
                writer?.WriteNullValue();
                return null;
            case AvroKind.Boolean:
                if (pos >= data.Length)
                {
                    return Truncated("boolean");
                }

                var b = data[pos];
                if (b > 1)
                {
                    return new AvroViolation($"a boolean is the byte 0 or 1, got 0x{b:X2}");
                }

                pos++;
                writer?.WriteBooleanValue(b == 1);
                return null;
            case AvroKind.Int:
            {
                var status = ReadInt(data, ref pos, out var value);
                if (status != Varint.Ok)
                {
                    return VarintViolation(status, "int", 32);
                }

                writer?.WriteNumberValue(value);
                return null;
            }

            case AvroKind.Long:
            {
                var status = ReadLong(data, ref pos, out var value);
                if (status != Varint.Ok)
                {
                    return VarintViolation(status, "long", 64);
                }

                writer?.WriteNumberValue(value);
                return null;
            }

            case AvroKind.Float:
                if (data.Length - pos < sizeof(float))
                {
                    return Truncated("float (4 bytes)");
                }

                if (writer is not null)
                {
                    WriteFloat(writer, BinaryPrimitives.ReadSingleLittleEndian(data[pos..]));
                }

                pos += sizeof(float);
                return null;
            case AvroKind.Double:
                if (data.Length - pos < sizeof(double))
                {
                    return Truncated("double (8 bytes)");
                }

                if (writer is not null)
                {
                    WriteDouble(writer, BinaryPrimitives.ReadDoubleLittleEndian(data[pos..]));
                }

                pos += sizeof(double);
                return null;
            case AvroKind.Bytes:
            {
                var violation = ReadLength(data, ref pos, "bytes", out var length);
                if (violation is not null)
                {
                    return violation;
                }

                writer?.WriteBase64StringValue(data.Slice(pos, length));
                pos += length;
                return null;
            }

            case AvroKind.String:
            {
                var violation = ReadString(data, ref pos, "string", out var utf8);
                if (violation is not null)
                {
                    return violation;
                }

                writer?.WriteStringValue(utf8);
                return null;
            }

            case AvroKind.Fixed:
                if (data.Length - pos < node.Size)
                {
                    return new AvroViolation($"fixed '{node.FullName}' takes {node.Size} bytes, but only {data.Length - pos} are left");
                }

                writer?.WriteBase64StringValue(data.Slice(pos, node.Size));
                pos += node.Size;
                return null;
            case AvroKind.Enum:
            {
                var status = ReadInt(data, ref pos, out var index);
                if (status != Varint.Ok)
                {
                    return VarintViolation(status, "enum index", 32);
                }

                if ((uint)index >= (uint)node.Symbols.Length)
                {
                    return new AvroViolation($"enum index {index} is out of range: enum '{node.FullName}' has {node.Symbols.Length} symbols");
                }

                writer?.WriteStringValue(node.Symbols[index]);
                return null;
            }

            case AvroKind.Union:
            {
                var status = ReadInt(data, ref pos, out var index);
                if (status != Varint.Ok)
                {
                    return VarintViolation(status, "union branch index", 32);
                }

                if ((uint)index >= (uint)node.Branches.Length)
                {
                    return new AvroViolation($"union branch index {index} is out of range: the union {node.Describe()} has {node.Branches.Length} branches");
                }

                return Datum(node.Branches[index], data, ref pos, ref zeroWidthBudget, depth, writer);
            }

            case AvroKind.Record:
                return Record(node, data, ref pos, ref zeroWidthBudget, depth, writer);
            case AvroKind.Array:
            case AvroKind.Map:
                return Collection(node, data, ref pos, ref zeroWidthBudget, depth, writer);
            default:
                return new AvroViolation($"the schema type {node.Kind} is not supported");
        }
    }

    private static AvroViolation? Record(AvroNode node, ReadOnlySpan<byte> data, ref int pos, ref long zeroWidthBudget, int depth, Utf8JsonWriter? writer)
    {
        if (depth >= AvroLimits.MaxDepth)
        {
            return new AvroViolation($"the datum nests deeper than {AvroLimits.MaxDepth} levels");
        }

        writer?.WriteStartObject();
        foreach (var field in node.Fields)
        {
            writer?.WritePropertyName(field.Name);
            var violation = Datum(field.Type, data, ref pos, ref zeroWidthBudget, depth + 1, writer);
            if (violation is not null)
            {
                return violation.Field(field.Name);
            }
        }

        writer?.WriteEndObject();
        return null;
    }

    private static AvroViolation? Collection(AvroNode node, ReadOnlySpan<byte> data, ref int pos, ref long zeroWidthBudget, int depth, Utf8JsonWriter? writer)
    {
        if (depth >= AvroLimits.MaxDepth)
        {
            return new AvroViolation($"the datum nests deeper than {AvroLimits.MaxDepth} levels");
        }

        var isMap = node.Kind == AvroKind.Map;
        var what = isMap ? "map" : "array";
        var items = node.Items!;
        // A map entry holds at least its key's length byte.
        var minItemSize = items.MinSize + (isMap ? 1 : 0);
        if (isMap)
        {
            writer?.WriteStartObject();
        }
        else
        {
            writer?.WriteStartArray();
        }

        long index = 0;
        while (true)
        {
            var status = ReadLong(data, ref pos, out var count);
            if (status != Varint.Ok)
            {
                return VarintViolation(status, $"{what} block count", 64);
            }

            if (count == 0)
            {
                break;
            }

            var blockStart = pos;
            var blockSize = -1L;
            if (count < 0)
            {
                if (count == long.MinValue)
                {
                    return new AvroViolation($"the {what} block count {count} is out of range");
                }

                // A negative count is followed by the block's size in bytes, so readers can skip it.
                count = -count;
                status = ReadLong(data, ref pos, out blockSize);
                if (status != Varint.Ok)
                {
                    return VarintViolation(status, $"{what} block size", 64);
                }

                if (blockSize < 0 || blockSize > data.Length - pos)
                {
                    return new AvroViolation($"the {what} block size {blockSize} is negative or beyond the {data.Length - pos} bytes left");
                }

                blockStart = pos;
            }

            if (minItemSize > 0)
            {
                if (count > (data.Length - pos) / minItemSize)
                {
                    return new AvroViolation($"the {what} block claims {count} items, more than the {data.Length - pos} bytes left can hold");
                }
            }
            else
            {
                zeroWidthBudget -= count;
                if (zeroWidthBudget < 0)
                {
                    return new AvroViolation($"the {what} claims more than {AvroLimits.MaxZeroWidthItems} items of {items.DisplayName}");
                }
            }

            for (var i = 0L; i < count; i++, index++)
            {
                if (isMap)
                {
                    var keyViolation = ReadString(data, ref pos, "map key", out var key);
                    if (keyViolation is not null)
                    {
                        return keyViolation.Index(index);
                    }

                    writer?.WritePropertyName(key);
                    var valueViolation = Datum(items, data, ref pos, ref zeroWidthBudget, depth + 1, writer);
                    if (valueViolation is not null)
                    {
                        return valueViolation.Key(Encoding.UTF8.GetString(key));
                    }
                }
                else
                {
                    var violation = Datum(items, data, ref pos, ref zeroWidthBudget, depth + 1, writer);
                    if (violation is not null)
                    {
                        return violation.Index(index);
                    }
                }
            }

            if (blockSize >= 0 && pos - blockStart != blockSize)
            {
                return new AvroViolation($"the {what} block declared a size of {blockSize} bytes, but its items took {pos - blockStart}");
            }
        }

        if (isMap)
        {
            writer?.WriteEndObject();
        }
        else
        {
            writer?.WriteEndArray();
        }

        return null;
    }

    private static AvroViolation? ReadLength(ReadOnlySpan<byte> data, ref int pos, string what, out int length)
    {
        length = 0;
        var status = ReadLong(data, ref pos, out var declared);
        if (status != Varint.Ok)
        {
            return VarintViolation(status, $"{what} length", 64);
        }

        if (declared < 0)
        {
            return new AvroViolation($"the {what} length {declared} is negative");
        }

        if (declared > data.Length - pos)
        {
            return new AvroViolation($"the {what} length {declared} is beyond the {data.Length - pos} bytes left");
        }

        length = (int)declared;
        return null;
    }

    private static AvroViolation? ReadString(ReadOnlySpan<byte> data, ref int pos, string what, out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        var violation = ReadLength(data, ref pos, what, out var length);
        if (violation is not null)
        {
            return violation;
        }

        var candidate = data.Slice(pos, length);
        if (!Utf8.IsValid(candidate))
        {
            return new AvroViolation($"the {what} is not valid UTF-8");
        }

        utf8 = candidate;
        pos += length;
        return null;
    }

    private static Varint ReadInt(ReadOnlySpan<byte> data, ref int pos, out int value)
    {
        value = 0;
        var status = ReadVarint(data, ref pos, MaxIntVarintBytes, out var raw);
        if (status == Varint.Ok)
        {
            var zigzag = (uint)raw;
            value = (int)(zigzag >> 1) ^ -(int)(zigzag & 1);
        }

        return status;
    }

    private static Varint ReadLong(ReadOnlySpan<byte> data, ref int pos, out long value)
    {
        value = 0;
        var status = ReadVarint(data, ref pos, MaxLongVarintBytes, out var raw);
        if (status == Varint.Ok)
        {
            value = (long)(raw >> 1) ^ -(long)(raw & 1);
        }

        return status;
    }

    /// <summary>Reads a base-128 varint of at most <paramref name="maxBytes"/> bytes whose value fits 32 (5 bytes) or 64 (10 bytes) bits.</summary>
    private static Varint ReadVarint(ReadOnlySpan<byte> data, ref int pos, int maxBytes, out ulong raw)
    {
        raw = 0;
        for (var i = 0; i < maxBytes; i++)
        {
            if (pos >= data.Length)
            {
                return Varint.Truncated;
            }

            var b = data[pos++];
            raw |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                // The last byte may only carry the bits the width has left: 32 - 28 = 4, 64 - 63 = 1.
                if (i == maxBytes - 1 && b > (maxBytes == MaxIntVarintBytes ? 0x0F : 0x01))
                {
                    return Varint.Overflow;
                }

                return Varint.Ok;
            }
        }

        return Varint.TooLong;
    }

    private static AvroViolation VarintViolation(Varint status, string what, int bits) => status switch
    {
        Varint.Truncated => Truncated(what),
        Varint.TooLong => new AvroViolation($"the {what} varint is longer than {(bits == 32 ? MaxIntVarintBytes : MaxLongVarintBytes)} bytes"),
        _ => new AvroViolation($"the {what} does not fit in {bits} bits"),
    };

    private static AvroViolation Truncated(string what) =>
        new($"the payload ends in the middle of {("aeiou".Contains(what[0], StringComparison.Ordinal) ? "an" : "a")} {what}");

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        // Written as a float, so 0.1f reads back as 0.1, not as the double nearest to it.
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            WriteNonFinite(writer, value);
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            WriteNonFinite(writer, value);
        }
    }

    /// <summary>JSON has no NaN or infinities: they are written as the strings Avro's own JSON encoders use.</summary>
    private static void WriteNonFinite(Utf8JsonWriter writer, double value) =>
        writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
}
