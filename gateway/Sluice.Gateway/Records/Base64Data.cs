using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Gateway.Records;

/// <summary>
/// A record's data as it arrives in JSON: base64 decoded straight from the UTF-8 request bytes.
/// Bad base64 does not fail the whole request; it marks this one record invalid.
/// </summary>
[JsonConverter(typeof(Base64DataConverter))]
public readonly record struct Base64Data(byte[]? Bytes, bool IsValid)
{
    private sealed class Base64DataConverter : JsonConverter<Base64Data>
    {
        public override Base64Data Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                return new Base64Data(null, false);
            }

            return reader.TryGetBytesFromBase64(out var bytes) ? new Base64Data(bytes, true) : new Base64Data(null, false);
        }

        public override void Write(Utf8JsonWriter writer, Base64Data value, JsonSerializerOptions options)
        {
            if (value.Bytes is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteBase64StringValue(value.Bytes);
            }
        }
    }
}
