using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf.Reflection;

namespace Sluice.Schemas.Protobuf;

/// <summary>
/// Checks a JSON record against the proto3 JSON mapping of a message, as a Protobuf JSON parser would accept it: fields
/// by JSON name or original name (unknown ones refused); integers as numbers or strings within their range; bytes as
/// base64; enums by name or number; messages as objects, repeated fields as arrays and maps as objects; null for an
/// unset field; and the well-known types' special forms (Timestamp, Duration, wrappers, FieldMask, Struct, Value,
/// ListValue, Empty, Any).
/// </summary>
internal static partial class ProtobufJsonValidator
{
    private const long MaxDurationSeconds = 315_576_000_000;
    private const int MaxDepth = 100;

    public static string? Validate(MessageDescriptor message, ReadOnlySpan<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { MaxDepth = MaxDepth * 2 });
        }
        catch (JsonException e)
        {
            return $"$: the record is not valid JSON: {e.Message}";
        }

        using (document)
        {
            return CheckMessage(message, document.RootElement, "$", 0);
        }
    }

    private static string? CheckMessage(MessageDescriptor message, JsonElement element, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            return $"{path}: messages are nested more than {MaxDepth} deep.";
        }

        switch (message.FullName)
        {
            case "google.protobuf.Timestamp":
                return element.ValueKind == JsonValueKind.String && IsTimestamp(element.GetString()!)
                    ? null
                    : $"{path}: expected a Timestamp as an RFC 3339 string (1972-01-01T10:00:20.021Z), got {Describe(element)}.";
            case "google.protobuf.Duration":
                return element.ValueKind == JsonValueKind.String && IsDuration(element.GetString()!)
                    ? null
                    : $"{path}: expected a Duration as a string of seconds ending in 's' (1.5s), got {Describe(element)}.";
            case "google.protobuf.FieldMask":
                return element.ValueKind == JsonValueKind.String ? null : $"{path}: expected a FieldMask as a string of comma-separated paths, got {Describe(element)}.";
            case "google.protobuf.Value":
                return null;
            case "google.protobuf.Struct":
                return element.ValueKind == JsonValueKind.Object ? null : $"{path}: expected an object (Struct), got {Describe(element)}.";
            case "google.protobuf.ListValue":
                return element.ValueKind == JsonValueKind.Array ? null : $"{path}: expected an array (ListValue), got {Describe(element)}.";
            case "google.protobuf.Any":
                return element.ValueKind == JsonValueKind.Object && element.TryGetProperty("@type", out var type) && type.ValueKind == JsonValueKind.String
                    ? null
                    : $"{path}: expected an Any as an object with a string '@type', got {Describe(element)}.";
        }

        if (WellKnownTypes.IsWrapper(message))
        {
            return CheckSingle(message.FindFieldByNumber(1), element, path, depth);
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return $"{path}: expected an object (message {message.FullName}), got {Describe(element)}.";
        }

        foreach (var property in element.EnumerateObject())
        {
            var field = FindField(message, property.Name);
            var fieldPath = $"{path}.{property.Name}";
            if (field is null)
            {
                return $"{fieldPath}: message {message.FullName} has no field named '{property.Name}'.";
            }

            if (property.Value.ValueKind == JsonValueKind.Null && !(field.FieldType == FieldType.Enum && field.EnumType.FullName == "google.protobuf.NullValue"))
            {
                continue;
            }

            var error = field.IsMap ? CheckMap(field, property.Value, fieldPath, depth)
                : field.IsRepeated ? CheckRepeated(field, property.Value, fieldPath, depth)
                : CheckSingle(field, property.Value, fieldPath, depth);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static FieldDescriptor? FindField(MessageDescriptor message, string name)
    {
        foreach (var field in message.Fields.InDeclarationOrder())
        {
            if (field.JsonName == name || field.Name == name)
            {
                return field;
            }
        }

        return null;
    }

    private static string? CheckRepeated(FieldDescriptor field, JsonElement element, string path, int depth)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            return $"{path}: expected an array (repeated {ProtobufWireWalker.TypeName(field)}), got {Describe(element)}.";
        }

        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var itemPath = $"{path}[{index++}]";
            if (item.ValueKind == JsonValueKind.Null)
            {
                return $"{itemPath}: a repeated field's elements cannot be null.";
            }

            var error = CheckSingle(field, item, itemPath, depth);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static string? CheckMap(FieldDescriptor field, JsonElement element, string path, int depth)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return $"{path}: expected an object (a map), got {Describe(element)}.";
        }

        var keyField = field.MessageType.FindFieldByNumber(1);
        var valueField = field.MessageType.FindFieldByNumber(2);
        foreach (var entry in element.EnumerateObject())
        {
            var entryPath = $"{path}[\"{entry.Name}\"]";
            if (!IsMapKey(keyField.FieldType, entry.Name))
            {
                return $"{entryPath}: the key is not a valid {ProtobufWireWalker.TypeName(keyField)}.";
            }

            if (entry.Value.ValueKind == JsonValueKind.Null)
            {
                return $"{entryPath}: a map's values cannot be null.";
            }

            var error = CheckSingle(valueField, entry.Value, entryPath, depth);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static bool IsMapKey(FieldType type, string key) => type switch
    {
        FieldType.String => true,
        FieldType.Bool => key is "true" or "false",
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => int.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
        FieldType.UInt32 or FieldType.Fixed32 => uint.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _),
        FieldType.UInt64 or FieldType.Fixed64 => ulong.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _),
        _ => long.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
    };

    private static string? CheckSingle(FieldDescriptor field, JsonElement element, string path, int depth)
    {
        var ok = field.FieldType switch
        {
            FieldType.Message or FieldType.Group => true,
            FieldType.String => element.ValueKind == JsonValueKind.String,
            FieldType.Bytes => element.ValueKind == JsonValueKind.String && IsBase64(element.GetString()!),
            FieldType.Bool => element.ValueKind is JsonValueKind.True or JsonValueKind.False,
            FieldType.Float or FieldType.Double => IsFloating(element, field.FieldType == FieldType.Float),
            FieldType.Enum => IsEnum(field.EnumType, element),
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => IsInteger(element, int.MinValue, int.MaxValue),
            FieldType.UInt32 or FieldType.Fixed32 => IsInteger(element, 0, uint.MaxValue),
            FieldType.UInt64 or FieldType.Fixed64 => IsUInt64(element),
            _ => IsInteger(element, long.MinValue, long.MaxValue),
        };
        if (field.FieldType is FieldType.Message or FieldType.Group)
        {
            return CheckMessage(field.MessageType, element, path, depth + 1);
        }

        return ok ? null : $"{path}: expected {Expectation(field)}, got {Describe(element)}.";
    }

    private static string Expectation(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => "a string",
        FieldType.Bytes => "a base64 string (bytes)",
        FieldType.Bool => "true or false",
        FieldType.Enum => $"a value name or number of enum {field.EnumType.FullName}",
        FieldType.Float or FieldType.Double => $"a number ({ProtobufWireWalker.ScalarName(field.FieldType)})",
        _ => $"an integer in range for {ProtobufWireWalker.ScalarName(field.FieldType)} (a number or a string)",
    };

    private static bool IsEnum(EnumDescriptor type, JsonElement element)
    {
        if (type.FullName == "google.protobuf.NullValue" && element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        return element.ValueKind switch
        {
            JsonValueKind.String => type.FindValueByName(element.GetString()!) is not null,
            JsonValueKind.Number => element.TryGetInt32(out _),
            _ => false,
        };
    }

    private static bool IsInteger(JsonElement element, decimal min, decimal max)
    {
        decimal value;
        if (element.ValueKind == JsonValueKind.Number)
        {
            if (!element.TryGetDecimal(out value))
            {
                return false;
            }
        }
        else if (element.ValueKind != JsonValueKind.String
            || !decimal.TryParse(element.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }

        return value == decimal.Truncate(value) && value >= min && value <= max;
    }

    private static bool IsUInt64(JsonElement element) => IsInteger(element, 0, ulong.MaxValue);

    private static bool IsFloating(JsonElement element, bool single)
    {
        double value;
        if (element.ValueKind == JsonValueKind.Number)
        {
            value = element.GetDouble();
        }
        else if (element.ValueKind == JsonValueKind.String)
        {
            var text = element.GetString()!;
            if (text is "NaN" or "Infinity" or "-Infinity")
            {
                return true;
            }

            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        return double.IsFinite(value) && (!single || Math.Abs(value) <= float.MaxValue);
    }

    private static bool IsBase64(string text)
    {
        var standard = text.Replace('-', '+').Replace('_', '/');
        var padded = (standard.Length % 4) switch
        {
            2 => standard + "==",
            3 => standard + "=",
            _ => standard,
        };
        Span<byte> scratch = padded.Length <= 1024 ? stackalloc byte[padded.Length] : new byte[padded.Length];
        return Convert.TryFromBase64String(padded, scratch, out _);
    }

    private static bool IsTimestamp(string text)
    {
        var match = TimestampPattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        return DateTime.TryParseExact(match.Groups["datetime"].Value, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
            && parsed.Year >= 1;
    }

    private static bool IsDuration(string text)
    {
        var match = DurationPattern().Match(text);
        return match.Success
            && long.TryParse(match.Groups["seconds"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            && seconds <= MaxDurationSeconds;
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    [GeneratedRegex(@"^(?<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TimestampPattern();

    [GeneratedRegex(@"^-?(?<seconds>\d{1,12})(\.\d{1,9})?s$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex DurationPattern();
}
