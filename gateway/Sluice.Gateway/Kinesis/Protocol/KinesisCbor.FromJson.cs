using System.Buffers;
using System.Buffers.Text;
using System.Formats.Cbor;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace Sluice.Gateway.Kinesis.Protocol;

internal static partial class KinesisCbor
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    /// <summary>Converts a JSON protocol response body (a result or an error) into CBOR (see the class remarks).</summary>
    /// <exception cref="KinesisSerializationException">
    /// The JSON is malformed or not an object, or a blob member is not base64, or a timestamp is out of range.
    /// </exception>
    public static byte[] FromJson(ReadOnlySpan<byte> json) => JsonToCbor(json).Encode();

    /// <summary>Converts a JSON protocol response body into CBOR, written to <paramref name="cbor"/>.</summary>
    /// <exception cref="KinesisSerializationException">
    /// The JSON is malformed or not an object, or a blob member is not base64, or a timestamp is out of range;
    /// nothing has been written to <paramref name="cbor"/> then.
    /// </exception>
    public static void FromJson(ReadOnlySpan<byte> json, IBufferWriter<byte> cbor)
    {
        var writer = JsonToCbor(json);
        var length = writer.Encode(cbor.GetSpan(writer.BytesWritten));
        cbor.Advance(length);
    }

    private static CborWriter JsonToCbor(ReadOnlySpan<byte> json)
    {
        // Lax: Strict's further checks (duplicate keys, valid UTF-8) cannot fail on a serializer's own
        // output. Indefinite lengths, as Jackson writes. CBOR is about as long as the JSON, blobs shorter.
        var cbor = new CborWriter(CborConformanceMode.Lax, initialCapacity: json.Length + 64);
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new KinesisSerializationException(
                    $"The JSON body must be an object (a Kinesis structure), but it starts with {reader.TokenType}.");
            }
            cbor.WriteStartMap(null);
            var member = Member.Other;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        member = WriteKey(ref reader, cbor);
                        continue;
                    case JsonTokenType.StartObject:
                        cbor.WriteStartMap(null);
                        break;
                    case JsonTokenType.EndObject:
                        cbor.WriteEndMap();
                        break;
                    case JsonTokenType.StartArray:
                        cbor.WriteStartArray(null);
                        break;
                    case JsonTokenType.EndArray:
                        cbor.WriteEndArray();
                        break;
                    case JsonTokenType.String when member.Kind == MemberKind.Blob:
                        WriteBlob(ref reader, cbor, member.Name);
                        break;
                    case JsonTokenType.String:
                        WriteText(ref reader, cbor);
                        break;
                    case JsonTokenType.Number when member.Kind == MemberKind.Timestamp:
                        WriteTimestamp(ref reader, cbor, member.Name);
                        break;
                    case JsonTokenType.Number:
                        WriteNumber(ref reader, cbor);
                        break;
                    case JsonTokenType.True:
                    case JsonTokenType.False:
                        cbor.WriteBoolean(reader.GetBoolean());
                        break;
                    case JsonTokenType.Null:
                        cbor.WriteNull();
                        break;
                    default:
                        throw new KinesisSerializationException(
                            $"Unexpected JSON token {reader.TokenType} at byte {reader.TokenStartIndex}.");
                }
                member = Member.Other;
            }
        }
        catch (JsonException e)
        {
            throw new KinesisSerializationException($"Malformed JSON: {e.Message}", e);
        }
        return cbor;
    }

    private static Member WriteKey(ref Utf8JsonReader reader, CborWriter cbor) => WriteString(ref reader, cbor, classify: true);

    private static void WriteText(ref Utf8JsonReader reader, CborWriter cbor) => WriteString(ref reader, cbor, classify: false);

    /// <summary>Writes the current string token, unescaped, without allocating a string; classifies it as a member name if asked.</summary>
    private static Member WriteString(ref Utf8JsonReader reader, CborWriter cbor, bool classify)
    {
        const int StackLimit = 256;
        // A JSON string has at least as many bytes as its UTF-16 text has chars.
        var maxLength = reader.ValueSpan.Length;
        char[]? rented = null;
        Span<char> buffer = maxLength <= StackLimit ? stackalloc char[StackLimit] : (rented = ArrayPool<char>.Shared.Rent(maxLength));
        try
        {
            int length;
            try
            {
                length = reader.CopyString(buffer);
            }
            catch (InvalidOperationException e)
            {
                throw new KinesisSerializationException(
                    $"The JSON string at byte {reader.TokenStartIndex} is not valid Unicode: {e.Message}", e);
            }
            var text = buffer[..length];
            cbor.WriteTextString(text);
            return classify ? Classify(text) : Member.Other;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static void WriteBlob(ref Utf8JsonReader reader, CborWriter cbor, string name)
    {
        if (reader.ValueIsEscaped)
        {
            // Only a writer that escapes '+' or '/' gets here; decoding the unescaped text allocates, once.
            cbor.WriteByteString(reader.TryGetBytesFromBase64(out var unescaped) ? unescaped : throw NotBase64(ref reader, name));
            return;
        }
        var base64 = reader.ValueSpan;
        var bytes = ArrayPool<byte>.Shared.Rent(Base64.GetMaxDecodedFromUtf8Length(base64.Length));
        try
        {
            var status = Base64.DecodeFromUtf8(base64, bytes, out var consumed, out var written);
            if (status != OperationStatus.Done || consumed != base64.Length)
            {
                throw NotBase64(ref reader, name);
            }
            cbor.WriteByteString(bytes.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static KinesisSerializationException NotBase64(ref Utf8JsonReader reader, string name) =>
        new($"The blob member {name} at byte {reader.TokenStartIndex} is not valid base64.");

    private static void WriteTimestamp(ref Utf8JsonReader reader, CborWriter cbor, string name)
    {
        // Epoch seconds (fractional) to integer epoch milliseconds, truncated toward zero as the SDKs'
        // JSON unmarshaller truncates; decimal keeps 1506440188.749 from becoming ...748.9999.
        long milliseconds;
        try
        {
            milliseconds = reader.TryGetDecimal(out var seconds)
                ? decimal.ToInt64(decimal.Truncate(seconds * 1000m))
                : throw new OverflowException();
        }
        catch (OverflowException e)
        {
            throw new KinesisSerializationException(
                $"The timestamp member {name} at byte {reader.TokenStartIndex} is out of range.", e);
        }
        cbor.WriteTag(CborTag.UnixTimeSeconds);
        cbor.WriteInt64(milliseconds);
    }

    private static void WriteNumber(ref Utf8JsonReader reader, CborWriter cbor)
    {
        var text = reader.ValueSpan;
        if (text.IndexOfAny(".eE"u8) < 0)
        {
            if (reader.TryGetInt64(out var signed))
            {
                cbor.WriteInt64(signed);
            }
            else if (reader.TryGetUInt64(out var unsigned))
            {
                cbor.WriteUInt64(unsigned);
            }
            else
            {
                cbor.WriteBigInteger(BigInteger.Parse(Encoding.ASCII.GetString(text), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
            }
            return;
        }
        if (!reader.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            throw new KinesisSerializationException(
                $"The JSON number {Encoding.ASCII.GetString(text)} at byte {reader.TokenStartIndex} is out of the range of a double.");
        }
        cbor.WriteDouble(value);
    }
}
