using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf.Reflection;

namespace Sluice.Schemas.Protobuf;

/// <summary>
/// Writes a <see cref="DecodedMessage"/> in the proto3 JSON mapping, as Google.Protobuf's <c>JsonFormatter</c> would for a
/// generated type: fields by JSON name in number order, only those present; 64-bit integers as strings; bytes base64;
/// enums by name; repeated fields as arrays; maps as objects; Timestamp, Duration, the wrappers, FieldMask, Struct,
/// Value and ListValue in their special forms. Any keeps its plain form (<c>typeUrl</c>, <c>value</c>) because its
/// payload's type is not in the schema.
/// </summary>
internal static class ProtobufJsonWriter
{
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;
    private const long MaxDurationSeconds = 315_576_000_000;
    private const int NanosPerSecond = 1_000_000_000;

    public static string Write(DecodedMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteMessage(writer, message);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteMessage(Utf8JsonWriter writer, DecodedMessage message)
    {
        switch (message.Descriptor.FullName)
        {
            case "google.protobuf.Timestamp":
                writer.WriteStringValue(FormatTimestamp(Int64(message, 1), (int)Int64(message, 2)));
                return;
            case "google.protobuf.Duration":
                writer.WriteStringValue(FormatDuration(Int64(message, 1), (int)Int64(message, 2)));
                return;
            case "google.protobuf.FieldMask":
                writer.WriteStringValue(string.Join(",", Values(message, 1).Cast<string>().Select(ProtobufParser.DefaultJsonName)));
                return;
            case "google.protobuf.Struct":
                WriteStruct(writer, message);
                return;
            case "google.protobuf.ListValue":
                writer.WriteStartArray();
                foreach (var value in Values(message, 1))
                {
                    WriteMessage(writer, (DecodedMessage)value);
                }

                writer.WriteEndArray();
                return;
            case "google.protobuf.Value":
                WriteValueMessage(writer, message);
                return;
        }

        if (WellKnownTypes.IsWrapper(message.Descriptor))
        {
            var field = message.Descriptor.FindFieldByNumber(1);
            WriteSingle(writer, field, Values(message, 1) is { Count: > 0 } present ? present[^1] : DefaultOf(field));
            return;
        }

        writer.WriteStartObject();
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (!message.Fields.TryGetValue(field.FieldNumber, out var values) || values.Count == 0)
            {
                continue;
            }

            writer.WritePropertyName(field.JsonName);
            if (field.IsMap)
            {
                WriteMap(writer, field, values);
            }
            else if (field.IsRepeated)
            {
                writer.WriteStartArray();
                foreach (var value in values)
                {
                    WriteSingle(writer, field, value);
                }

                writer.WriteEndArray();
            }
            else
            {
                WriteSingle(writer, field, values[^1]);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteMap(Utf8JsonWriter writer, FieldDescriptor field, List<object> entries)
    {
        var keyField = field.MessageType.FindFieldByNumber(1);
        var valueField = field.MessageType.FindFieldByNumber(2);
        // A key may occur in several entries; as when parsing into a map, the last one wins, in first-seen order.
        var byKey = new Dictionary<string, object>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (DecodedMessage entry in entries)
        {
            var key = Values(entry, 1) is { Count: > 0 } keys ? keys[^1] : DefaultOf(keyField);
            var name = key switch
            {
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => (string)key,
            };
            if (!byKey.ContainsKey(name))
            {
                order.Add(name);
            }

            byKey[name] = Values(entry, 2) is { Count: > 0 } values ? values[^1] : DefaultOf(valueField);
        }

        writer.WriteStartObject();
        foreach (var name in order)
        {
            writer.WritePropertyName(name);
            WriteSingle(writer, valueField, byKey[name]);
        }

        writer.WriteEndObject();
    }

    private static void WriteSingle(Utf8JsonWriter writer, FieldDescriptor field, object value)
    {
        switch (value)
        {
            case DecodedMessage message:
                WriteMessage(writer, message);
                return;
            case string text:
                writer.WriteStringValue(text);
                return;
            case byte[] bytes:
                writer.WriteBase64StringValue(bytes);
                return;
            case bool flag:
                writer.WriteBooleanValue(flag);
                return;
            case long int64:
                writer.WriteStringValue(int64.ToString(CultureInfo.InvariantCulture));
                return;
            case ulong uint64:
                writer.WriteStringValue(uint64.ToString(CultureInfo.InvariantCulture));
                return;
            case uint uint32:
                writer.WriteNumberValue(uint32);
                return;
            case float single when float.IsFinite(single):
                // As a float, so that 0.1f prints as 0.1 rather than its double widening 0.10000000149011612.
                writer.WriteNumberValue(single);
                return;
            case float single:
                WriteFloating(writer, single);
                return;
            case double number:
                WriteFloating(writer, number);
                return;
            case int int32 when field.FieldType == FieldType.Enum:
                if (field.EnumType.FullName == "google.protobuf.NullValue")
                {
                    writer.WriteNullValue();
                }
                else if (field.EnumType.FindValueByNumber(int32) is { } named)
                {
                    writer.WriteStringValue(named.Name);
                }
                else
                {
                    writer.WriteNumberValue(int32);
                }

                return;
            case int int32:
                writer.WriteNumberValue(int32);
                return;
        }
    }

    private static void WriteFloating(Utf8JsonWriter writer, double value)
    {
        if (double.IsNaN(value))
        {
            writer.WriteStringValue("NaN");
        }
        else if (double.IsPositiveInfinity(value))
        {
            writer.WriteStringValue("Infinity");
        }
        else if (double.IsNegativeInfinity(value))
        {
            writer.WriteStringValue("-Infinity");
        }
        else
        {
            writer.WriteNumberValue(value);
        }
    }

    private static void WriteStruct(Utf8JsonWriter writer, DecodedMessage message)
    {
        writer.WriteStartObject();
        foreach (DecodedMessage entry in Values(message, 1))
        {
            writer.WritePropertyName(Values(entry, 1) is { Count: > 0 } keys ? (string)keys[^1] : "");
            if (Values(entry, 2) is { Count: > 0 } values)
            {
                WriteMessage(writer, (DecodedMessage)values[^1]);
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>google.protobuf.Value: whichever member of its <c>kind</c> oneof is set, as plain JSON.</summary>
    private static void WriteValueMessage(Utf8JsonWriter writer, DecodedMessage message)
    {
        foreach (var (number, values) in message.Fields)
        {
            if (values.Count == 0)
            {
                continue;
            }

            var value = values[^1];
            switch (number)
            {
                case 2:
                    WriteFloating(writer, (double)value);
                    return;
                case 3:
                    writer.WriteStringValue((string)value);
                    return;
                case 4:
                    writer.WriteBooleanValue((bool)value);
                    return;
                case 5 or 6:
                    WriteMessage(writer, (DecodedMessage)value);
                    return;
            }
        }

        writer.WriteNullValue();
    }

    private static string FormatTimestamp(long seconds, int nanos)
    {
        if (seconds is < MinTimestampSeconds or > MaxTimestampSeconds || nanos is < 0 or >= NanosPerSecond)
        {
            throw new FormatException($"$: the Timestamp {seconds}s {nanos}ns is outside 0001-01-01 to 9999-12-31.");
        }

        var time = DateTime.UnixEpoch.AddSeconds(seconds);
        return time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + Fraction(nanos) + "Z";
    }

    private static string FormatDuration(long seconds, int nanos)
    {
        if (seconds is < -MaxDurationSeconds or > MaxDurationSeconds || Math.Abs(nanos) >= NanosPerSecond || (seconds != 0 && nanos != 0 && (seconds < 0) != (nanos < 0)))
        {
            throw new FormatException($"$: the Duration {seconds}s {nanos}ns is out of range or has mixed signs.");
        }

        var sign = seconds < 0 || nanos < 0 ? "-" : "";
        return sign + Math.Abs(seconds).ToString(CultureInfo.InvariantCulture) + Fraction(Math.Abs(nanos)) + "s";
    }

    /// <summary>Nanoseconds as 0, 3, 6 or 9 fractional digits, as the proto3 JSON mapping writes them.</summary>
    private static string Fraction(int nanos) =>
        nanos == 0 ? ""
        : nanos % 1_000_000 == 0 ? "." + (nanos / 1_000_000).ToString("D3", CultureInfo.InvariantCulture)
        : nanos % 1_000 == 0 ? "." + (nanos / 1_000).ToString("D6", CultureInfo.InvariantCulture)
        : "." + nanos.ToString("D9", CultureInfo.InvariantCulture);

    private static long Int64(DecodedMessage message, int number) =>
        Values(message, number) is { Count: > 0 } values ? Convert.ToInt64(values[^1], CultureInfo.InvariantCulture) : 0;

    private static List<object> Values(DecodedMessage message, int number) =>
        message.Fields.TryGetValue(number, out var values) ? values : [];

    /// <summary>A field's default, for map entries and wrappers that leave key or value out.</summary>
    private static object DefaultOf(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => "",
        FieldType.Bytes => Array.Empty<byte>(),
        FieldType.Bool => false,
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => 0L,
        FieldType.UInt64 or FieldType.Fixed64 => 0UL,
        FieldType.UInt32 or FieldType.Fixed32 => 0U,
        FieldType.Float => 0f,
        FieldType.Double => 0d,
        FieldType.Message or FieldType.Group => new DecodedMessage(field.MessageType),
        _ => 0,
    };
}
