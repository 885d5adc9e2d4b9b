using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Sluice.Schemas.Avro;

/// <summary>
/// Checks JSON against an Avro type: produced JSON records in their natural shape, and field defaults as the spec
/// writes them (<see cref="AvroJsonMode"/>). Never throws for bad input.
/// </summary>
internal static class AvroJson
{
    // Multiple values are read so that a second one is reported as such rather than as a syntax error.
    /// <summary>Records with up to this many fields track the fields seen on the stack.</summary>
    private const int MaxStackFields = 64;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = AvroLimits.MaxDepth + 1, AllowMultipleValues = true };

    /// <summary>Validates a UTF-8 JSON record in its natural shape; null when it is an instance, else the violation.</summary>
    public static string? Validate(AvroNode root, ReadOnlySpan<byte> utf8Json)
    {
        // The reader checks the UTF-8 of property names and literals, but that of string values only when they are read.
        if (!Utf8.IsValid(utf8Json))
        {
            return "$: not valid JSON: the text is not valid UTF-8";
        }

        var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
        JsonDocument document;
        try
        {
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                document.Dispose();
                return $"$: not a single JSON value: more JSON follows at byte {reader.TokenStartIndex}";
            }
        }
        catch (JsonException e)
        {
            return $"$: not valid JSON: {e.Message}";
        }

        using (document)
        {
            return Check(root, document.RootElement, AvroJsonMode.Natural, depth: 0)?.Format();
        }
    }

    /// <summary>Checks one JSON value against <paramref name="node"/>; null when it is an instance.</summary>
    public static AvroViolation? Check(AvroNode node, JsonElement value, AvroJsonMode mode, int depth)
    {
        switch (node.Kind)
        {
            case AvroKind.Null:
                return value.ValueKind == JsonValueKind.Null ? null : Expected("null", value);
            case AvroKind.Boolean:
                return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : Expected("a boolean", value);
            case AvroKind.Int:
                return CheckInteger(value, mode, int.MinValue, int.MaxValue, "an int");
            case AvroKind.Long:
                return CheckInteger(value, mode, long.MinValue, long.MaxValue, "a long");
            case AvroKind.Float:
            case AvroKind.Double:
                return CheckFloatingPoint(node.Kind, value);
            case AvroKind.String:
                return value.ValueKind == JsonValueKind.String ? null : Expected("a string", value);
            case AvroKind.Bytes:
                return CheckBytes(value, mode, size: -1);
            case AvroKind.Fixed:
                return CheckBytes(value, mode, node.Size);
            case AvroKind.Enum:
                return CheckEnum(node, value);
            case AvroKind.Union:
                return CheckUnion(node, value, mode, depth);
            case AvroKind.Array:
                return CheckArray(node, value, mode, depth);
            case AvroKind.Map:
                return CheckMap(node, value, mode, depth);
            case AvroKind.Record:
                return CheckRecord(node, value, mode, depth);
            default:
                return new AvroViolation($"the schema type {node.Kind} is not supported");
        }
    }

    /// <summary>How messages name a JSON value's kind: <c>a string</c>, <c>an object</c>, <c>null</c>.</summary>
    public static string DescribeKind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static AvroViolation Expected(string expected, JsonElement value) =>
        new($"expected {expected}, got {DescribeKind(value.ValueKind)}");

    private static AvroViolation? CheckInteger(JsonElement value, AvroJsonMode mode, long min, long max, string expected)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            return Expected(expected, value);
        }

        if (value.TryGetInt64(out var integer))
        {
            return integer >= min && integer <= max ? null : new AvroViolation($"{value.GetRawText()} is out of range for {expected}");
        }

        if (value.TryGetDecimal(out var number) && decimal.Truncate(number) == number)
        {
            if (number < min || number > max)
            {
                return new AvroViolation($"{value.GetRawText()} is out of range for {expected}");
            }

            // An integral decimal (1.0, 1e3) is a fine integer in a produced record; a default must be an integer literal, as Confluent checks it.
            return mode == AvroJsonMode.Natural
                ? null
                : new AvroViolation($"a default of {expected[(expected.IndexOf(' ', StringComparison.Ordinal) + 1)..]} is an integer literal, not {value.GetRawText()}");
        }

        return value.TryGetDouble(out var d) && Math.Floor(d) == d
            ? new AvroViolation($"{value.GetRawText()} is out of range for {expected}")
            : new AvroViolation($"expected {expected}, got the non-integral number {value.GetRawText()}");
    }

    private static AvroViolation? CheckFloatingPoint(AvroKind kind, JsonElement value)
    {
        var expected = kind == AvroKind.Float ? "a float" : "a double";
        if (value.ValueKind == JsonValueKind.String)
        {
            // JSON has no NaN or infinities; decoders write them as these strings, so they come back that way.
            return value.ValueEquals("NaN") || value.ValueEquals("Infinity") || value.ValueEquals("-Infinity")
                ? null
                : Expected(expected, value);
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            return Expected(expected, value);
        }

        if (!value.TryGetDouble(out var d) || !double.IsFinite(d) || (kind == AvroKind.Float && !float.IsFinite((float)d)))
        {
            return new AvroViolation($"{value.GetRawText()} is out of range for {expected}");
        }

        return null;
    }

    private static AvroViolation? CheckBytes(JsonElement value, AvroJsonMode mode, int size)
    {
        var expected = size < 0 ? "bytes" : $"fixed({size})";
        if (value.ValueKind != JsonValueKind.String)
        {
            return Expected(size < 0 ? "a base64 string of bytes" : $"a base64 string of {size} bytes", value);
        }

        var text = value.GetString()!;
        int length;
        if (mode == AvroJsonMode.Default)
        {
            // The spec writes byte defaults as strings whose code points 0-255 are the bytes.
            foreach (var c in text)
            {
                if (c > '\u00FF')
                {
                    return new AvroViolation($"a default of {expected} is a string of code points 0-255, but it holds U+{(int)c:X4}");
                }
            }

            length = text.Length;
        }
        else if (!Base64.IsValid(text.AsSpan(), out length))
        {
            return new AvroViolation($"expected {expected} as a base64 string, got a string that is not base64");
        }

        return size >= 0 && length != size ? new AvroViolation($"expected {size} bytes of fixed, got {length}") : null;
    }

    private static AvroViolation? CheckEnum(AvroNode node, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return Expected($"a symbol of enum '{node.FullName}'", value);
        }

        foreach (var symbol in node.Symbols)
        {
            if (value.ValueEquals(symbol))
            {
                return null;
            }
        }

        return new AvroViolation($"'{value.GetString()}' is not a symbol of enum '{node.FullName}' ({string.Join(", ", node.Symbols)})");
    }

    private static AvroViolation? CheckUnion(AvroNode node, JsonElement value, AvroJsonMode mode, int depth)
    {
        if (mode == AvroJsonMode.Default)
        {
            var first = Check(node.Branches[0], value, mode, depth);
            return first is null
                ? null
                : new AvroViolation($"a union's default must be of its first branch, {node.Branches[0].DisplayName}: {first.FormatNested()}");
        }

        AvroViolation? only = null;
        var candidates = 0;
        foreach (var branch in node.Branches)
        {
            // A branch whose JSON kind cannot match is no candidate: report the violation of the only one that could.
            if (!CouldMatch(branch.Kind, value.ValueKind))
            {
                continue;
            }

            var violation = Check(branch, value, mode, depth);
            if (violation is null)
            {
                return null;
            }

            candidates++;
            only = violation;
        }

        return candidates == 1
            ? only
            : new AvroViolation($"{DescribeKind(value.ValueKind)} matches no branch of the union [{string.Join(", ", node.Branches.Select(b => b.DisplayName))}]");
    }

    private static bool CouldMatch(AvroKind kind, JsonValueKind json) => kind switch
    {
        AvroKind.Null => json == JsonValueKind.Null,
        AvroKind.Boolean => json is JsonValueKind.True or JsonValueKind.False,
        AvroKind.Int or AvroKind.Long => json == JsonValueKind.Number,
        AvroKind.Float or AvroKind.Double => json is JsonValueKind.Number or JsonValueKind.String,
        AvroKind.String or AvroKind.Bytes or AvroKind.Fixed or AvroKind.Enum => json == JsonValueKind.String,
        AvroKind.Array => json == JsonValueKind.Array,
        AvroKind.Map or AvroKind.Record => json == JsonValueKind.Object,
        _ => false,
    };

    private static AvroViolation? CheckArray(AvroNode node, JsonElement value, AvroJsonMode mode, int depth)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return Expected("an array", value);
        }

        if (depth >= AvroLimits.MaxDepth)
        {
            return new AvroViolation($"the value nests deeper than {AvroLimits.MaxDepth} levels");
        }

        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var violation = Check(node.Items!, item, mode, depth + 1);
            if (violation is not null)
            {
                return violation.Index(i);
            }

            i++;
        }

        return null;
    }

    private static AvroViolation? CheckMap(AvroNode node, JsonElement value, AvroJsonMode mode, int depth)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return Expected("an object (a map)", value);
        }

        if (depth >= AvroLimits.MaxDepth)
        {
            return new AvroViolation($"the value nests deeper than {AvroLimits.MaxDepth} levels");
        }

        foreach (var property in value.EnumerateObject())
        {
            var violation = Check(node.Items!, property.Value, mode, depth + 1);
            if (violation is not null)
            {
                return violation.Key(property.Name);
            }
        }

        return null;
    }

    private static AvroViolation? CheckRecord(AvroNode node, JsonElement value, AvroJsonMode mode, int depth)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return Expected($"an object (record '{node.FullName}')", value);
        }

        if (depth >= AvroLimits.MaxDepth)
        {
            return new AvroViolation($"the value nests deeper than {AvroLimits.MaxDepth} levels");
        }

        var fields = node.Fields;
        Span<bool> seen = fields.Length <= MaxStackFields ? stackalloc bool[MaxStackFields] : new bool[fields.Length];
        // One pass over the properties; they usually come in field order, so the next field is tried first.
        var next = 0;
        foreach (var property in value.EnumerateObject())
        {
            var index = FindField(fields, property, next);
            if (index < 0)
            {
                if (mode == AvroJsonMode.Default)
                {
                    continue;
                }

                // Avro records are closed.
                return new AvroViolation($"record '{node.FullName}' has no field named '{property.Name}'").Field(property.Name);
            }

            var field = fields[index];
            if (seen[index])
            {
                // A repeated property would leave the field's value ambiguous.
                return new AvroViolation($"record '{node.FullName}' has the property '{field.Name}' more than once").Field(field.Name);
            }

            seen[index] = true;
            next = index + 1;
            var violation = Check(field.Type, property.Value, mode, depth + 1);
            if (violation is not null)
            {
                return violation.Field(field.Name);
            }
        }

        for (var i = 0; i < fields.Length; i++)
        {
            if (!seen[i] && !fields[i].HasDefault)
            {
                return new AvroViolation($"the required field '{fields[i].Name}' ({fields[i].Type.DisplayName}, no default) is missing").Field(fields[i].Name);
            }
        }

        return null;
    }

    private static int FindField(AvroField[] fields, JsonProperty property, int hint)
    {
        if (hint < fields.Length && property.NameEquals(fields[hint].Name))
        {
            return hint;
        }

        for (var i = 0; i < fields.Length; i++)
        {
            if (i != hint && property.NameEquals(fields[i].Name))
            {
                return i;
            }
        }

        return -1;
    }
}
