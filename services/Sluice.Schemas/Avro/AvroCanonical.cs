using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Sluice.Schemas.Avro;

/// <summary>
/// Writes a schema's canonical form: Avro's Parsing Canonical Form (full names, no doc, fixed key order, no whitespace,
/// a named type written out once and referenced by full name after) plus what resolution depends on and the parsing
/// form drops: field defaults (normalised by their type), field and type aliases (sorted), enum defaults, field sort
/// order when not ascending, and logical types. Same meaning, same string; a changed default, alias or field order
/// changes it.
/// </summary>
internal static class AvroCanonical
{
    public static string Write(AvroNode root)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteType(writer, root, new HashSet<string>(StringComparer.Ordinal));
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteType(Utf8JsonWriter writer, AvroNode node, HashSet<string> written)
    {
        if (node.FullName is not null && !written.Add(node.FullName))
        {
            writer.WriteStringValue(node.FullName);
            return;
        }

        switch (node.Kind)
        {
            case AvroKind.Union:
                writer.WriteStartArray();
                foreach (var branch in node.Branches)
                {
                    WriteType(writer, branch, written);
                }

                writer.WriteEndArray();
                return;
            case AvroKind.Null or AvroKind.Boolean or AvroKind.Int or AvroKind.Long or AvroKind.Float or AvroKind.Double or AvroKind.Bytes or AvroKind.String
                when node.LogicalType is null:
                writer.WriteStringValue(AvroNode.KindName(node.Kind));
                return;
        }

        writer.WriteStartObject();
        if (node.FullName is not null)
        {
            writer.WriteString("name", node.FullName);
        }

        writer.WriteString("type", AvroNode.KindName(node.Kind));
        switch (node.Kind)
        {
            case AvroKind.Record:
                writer.WriteStartArray("fields");
                foreach (var field in node.Fields)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", field.Name);
                    writer.WritePropertyName("type");
                    WriteType(writer, field.Type, written);
                    if (field.Default is { } value)
                    {
                        writer.WritePropertyName("default");
                        WriteDefault(writer, field.Type, value);
                    }

                    WriteNames(writer, "aliases", field.Aliases);
                    if (field.Order != "ascending")
                    {
                        writer.WriteString("order", field.Order);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                break;
            case AvroKind.Enum:
                writer.WriteStartArray("symbols");
                foreach (var symbol in node.Symbols)
                {
                    writer.WriteStringValue(symbol);
                }

                writer.WriteEndArray();
                if (node.EnumDefault is not null)
                {
                    writer.WriteString("default", node.EnumDefault);
                }

                break;
            case AvroKind.Array:
                writer.WritePropertyName("items");
                WriteType(writer, node.Items!, written);
                break;
            case AvroKind.Map:
                writer.WritePropertyName("values");
                WriteType(writer, node.Items!, written);
                break;
            case AvroKind.Fixed:
                writer.WriteNumber("size", node.Size);
                break;
        }

        WriteNames(writer, "aliases", node.Aliases);
        if (node.LogicalType is not null)
        {
            writer.WriteString("logicalType", node.LogicalType);
            if (node.Precision is { } precision)
            {
                writer.WriteNumber("precision", precision);
            }

            // A decimal's scale defaults to 0: written or not, it is the same schema.
            if (node.Scale is { } scale && !(scale == 0 && node.LogicalType == "decimal"))
            {
                writer.WriteNumber("scale", scale);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteNames(Utf8JsonWriter writer, string property, string[] names)
    {
        if (names.Length == 0)
        {
            return;
        }

        var sorted = (string[])names.Clone();
        Array.Sort(sorted, StringComparer.Ordinal);
        writer.WriteStartArray(property);
        foreach (var name in sorted)
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes a default (already checked against its type) normalised by the type: <c>1.0</c> and <c>1</c> of a double are one value, map keys sorted, record fields in schema order.</summary>
    private static void WriteDefault(Utf8JsonWriter writer, AvroNode node, JsonElement value)
    {
        switch (node.Kind)
        {
            case AvroKind.Null:
                writer.WriteNullValue();
                break;
            case AvroKind.Boolean:
                writer.WriteBooleanValue(value.GetBoolean());
                break;
            case AvroKind.Int or AvroKind.Long:
                writer.WriteNumberValue(value.GetInt64());
                break;
            case AvroKind.Float or AvroKind.Double:
                if (value.ValueKind == JsonValueKind.String)
                {
                    writer.WriteStringValue(value.GetString());
                }
                else
                {
                    writer.WriteNumberValue(value.GetDouble());
                }

                break;
            case AvroKind.String or AvroKind.Bytes or AvroKind.Fixed or AvroKind.Enum:
                writer.WriteStringValue(value.GetString());
                break;
            case AvroKind.Union:
                WriteDefault(writer, node.Branches[0], value);
                break;
            case AvroKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteDefault(writer, node.Items!, item);
                }

                writer.WriteEndArray();
                break;
            case AvroKind.Map:
                var entries = value.EnumerateObject().ToList();
                entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                writer.WriteStartObject();
                foreach (var entry in entries)
                {
                    writer.WritePropertyName(entry.Name);
                    WriteDefault(writer, node.Items!, entry.Value);
                }

                writer.WriteEndObject();
                break;
            case AvroKind.Record:
                writer.WriteStartObject();
                foreach (var field in node.Fields)
                {
                    if (value.TryGetProperty(field.Name, out var fieldValue))
                    {
                        writer.WritePropertyName(field.Name);
                        WriteDefault(writer, field.Type, fieldValue);
                    }
                }

                writer.WriteEndObject();
                break;
        }
    }
}
