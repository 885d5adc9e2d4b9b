using System.Buffers;
using System.Formats.Cbor;
using System.Globalization;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Sluice.Gateway.Kinesis.Protocol;

internal static partial class KinesisCbor
{
    // The JSON goes to the endpoint's parser, not into a page: escaping only what JSON requires
    // keeps non-ASCII text as UTF-8 rather than \uXXXX.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Converts a CBOR request body into the JSON protocol's request body (see the class remarks).</summary>
    /// <exception cref="KinesisSerializationException">The body is not a well-formed CBOR map Kinesis accepts.</exception>
    public static byte[] ToJson(ReadOnlyMemory<byte> cbor)
    {
        // Base64 makes blobs 4/3 as long; everything else is about as long in either encoding.
        var json = new ArrayBufferWriter<byte>((int)Math.Min(cbor.Length * 4L / 3 + 256, Array.MaxLength));
        ToJson(cbor, json);
        return json.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Converts a CBOR request body into the JSON protocol's request body, written to
    /// <paramref name="json"/>. Blobs are base64-encoded straight from <paramref name="cbor"/>
    /// without an intermediate copy. When it throws, <paramref name="json"/> may hold part of a document.
    /// </summary>
    /// <exception cref="KinesisSerializationException">The body is not a well-formed CBOR map Kinesis accepts.</exception>
    public static void ToJson(ReadOnlyMemory<byte> cbor, IBufferWriter<byte> json)
    {
        if (cbor.IsEmpty)
        {
            throw new KinesisSerializationException("The CBOR body is empty; a Kinesis request is a CBOR map.");
        }
        using var writer = new Utf8JsonWriter(json, WriterOptions);
        new CborToJson(cbor, writer).CopyBody();
        writer.Flush();
    }

    /// <summary>One CBOR document being copied into JSON.</summary>
    private sealed class CborToJson(ReadOnlyMemory<byte> cbor, Utf8JsonWriter json)
    {
        // Strict: well-formed, valid UTF-8, no duplicate keys, simple values in their shortest form.
        // It still takes indefinite lengths and non-minimal integers, which Jackson writes.
        private readonly CborReader _reader = new(cbor, CborConformanceMode.Strict);

        /// <summary>Where the reader stands, as a byte offset into the body, for error messages.</summary>
        private int Offset => cbor.Length - _reader.BytesRemaining;

        public void CopyBody()
        {
            try
            {
                var state = _reader.PeekState();
                if (state != CborReaderState.StartMap)
                {
                    throw new KinesisSerializationException(
                        $"The CBOR body must be a map (a Kinesis request structure), but it is {Describe(state)}.");
                }
                CopyValue(depth: 0, Member.Other);
                if (_reader.BytesRemaining != 0)
                {
                    throw new KinesisSerializationException(
                        $"The CBOR body has {_reader.BytesRemaining} trailing byte(s) after its map, from byte {Offset}.");
                }
            }
            catch (CborContentException e)
            {
                throw new KinesisSerializationException($"Malformed CBOR at byte {Offset}: {e.Message}", e);
            }
        }

        private void CopyValue(int depth, Member member)
        {
            var state = _reader.PeekState();
            if (member.Kind == MemberKind.Timestamp && IsNumber(state))
            {
                CopyTimestamp(member.Name);
                return;
            }
            switch (state)
            {
                case CborReaderState.StartMap:
                    CopyMap(depth + 1);
                    break;
                case CborReaderState.StartArray:
                    CopyArray(depth + 1);
                    break;
                case CborReaderState.TextString:
                    json.WriteStringValue(_reader.ReadDefiniteLengthTextStringBytes().Span);
                    break;
                case CborReaderState.StartIndefiniteLengthTextString:
                    json.WriteStringValue(_reader.ReadTextString());
                    break;
                case CborReaderState.ByteString:
                    json.WriteBase64StringValue(_reader.ReadDefiniteLengthByteString().Span);
                    break;
                case CborReaderState.StartIndefiniteLengthByteString:
                    json.WriteBase64StringValue(_reader.ReadByteString());
                    break;
                case CborReaderState.UnsignedInteger:
                    json.WriteNumberValue(_reader.ReadUInt64());
                    break;
                case CborReaderState.NegativeInteger:
                    CopyNegativeInteger();
                    break;
                case CborReaderState.HalfPrecisionFloat:
                case CborReaderState.SinglePrecisionFloat:
                case CborReaderState.DoublePrecisionFloat:
                    CopyFloat(state);
                    break;
                case CborReaderState.Boolean:
                    json.WriteBooleanValue(_reader.ReadBoolean());
                    break;
                case CborReaderState.Null:
                    _reader.ReadNull();
                    json.WriteNullValue();
                    break;
                case CborReaderState.Tag:
                    CopyTagged();
                    break;
                case CborReaderState.SimpleValue:
                    RefuseSimpleValue();
                    break;
                default:
                    throw new KinesisSerializationException($"Unexpected {Describe(state)} at byte {Offset}.");
            }
        }

        private void CopyMap(int depth)
        {
            CheckDepth(depth);
            _reader.ReadStartMap();
            json.WriteStartObject();
            while (_reader.PeekState() is var state && state != CborReaderState.EndMap)
            {
                Member member;
                switch (state)
                {
                    case CborReaderState.TextString:
                        var key = _reader.ReadDefiniteLengthTextStringBytes().Span;
                        json.WritePropertyName(key);
                        member = Classify(key);
                        break;
                    case CborReaderState.StartIndefiniteLengthTextString:
                        var chunkedKey = _reader.ReadTextString();
                        json.WritePropertyName(chunkedKey);
                        member = Classify(chunkedKey.AsSpan());
                        break;
                    default:
                        throw new KinesisSerializationException(
                            $"Map keys must be text strings (member names), but the key at byte {Offset} is {Describe(state)}.");
                }
                CopyValue(depth, member);
            }
            _reader.ReadEndMap();
            json.WriteEndObject();
        }

        private void CopyArray(int depth)
        {
            CheckDepth(depth);
            _reader.ReadStartArray();
            json.WriteStartArray();
            while (_reader.PeekState() != CborReaderState.EndArray)
            {
                CopyValue(depth, Member.Other);
            }
            _reader.ReadEndArray();
            json.WriteEndArray();
        }

        private void CheckDepth(int depth)
        {
            if (depth > MaxDepth)
            {
                throw new KinesisSerializationException(
                    $"The CBOR body nests maps and arrays deeper than {MaxDepth} levels, at byte {Offset}.");
            }
        }

        private void CopyNegativeInteger()
        {
            // CBOR's negative integers reach -2^64, past long: -1 - n for the encoded n.
            var encoded = _reader.ReadCborNegativeIntegerRepresentation();
            if (encoded <= long.MaxValue)
            {
                json.WriteNumberValue(-1L - (long)encoded);
            }
            else
            {
                WriteBigInteger(BigInteger.MinusOne - encoded);
            }
        }

        private void CopyFloat(CborReaderState state)
        {
            var at = Offset;
            switch (state)
            {
                case CborReaderState.HalfPrecisionFloat:
                    json.WriteNumberValue(Finite((float)_reader.ReadHalf(), at));
                    break;
                case CborReaderState.SinglePrecisionFloat:
                    // As a float: 1.1f reads back as 1.1, not as 1.100000023841858.
                    json.WriteNumberValue(Finite(_reader.ReadSingle(), at));
                    break;
                default:
                    json.WriteNumberValue(Finite(_reader.ReadDouble(), at));
                    break;
            }
        }

        private void CopyTagged()
        {
            var at = Offset;
            var tag = _reader.PeekTag();
            switch (tag)
            {
                case CborTag.UnixTimeSeconds:
                    _reader.ReadTag();
                    var content = _reader.PeekState();
                    if (!IsNumber(content))
                    {
                        throw new KinesisSerializationException(
                            $"Tag 1 (epoch date/time) at byte {at} must wrap an integer or a floating-point number, but it wraps {Describe(content)}.");
                    }
                    CopyTimestamp("tag 1");
                    break;
                case CborTag.UnsignedBigNum:
                case CborTag.NegativeBigNum:
                    WriteBigInteger(_reader.ReadBigInteger());
                    break;
                default:
                    throw new KinesisSerializationException(
                        $"CBOR tag {(ulong)tag} at byte {at} is not supported; Kinesis clients only tag timestamps (tag 1).");
            }
        }

        /// <summary>Copies a number that is a timestamp, as epoch seconds (see the class remarks for the unit).</summary>
        private void CopyTimestamp(string what)
        {
            var at = Offset;
            switch (_reader.PeekState())
            {
                case CborReaderState.UnsignedInteger:
                    var unsigned = _reader.ReadUInt64();
                    WriteEpoch(unsigned <= long.MaxValue ? (long)unsigned : throw TimestampOutOfRange(what, at));
                    break;
                case CborReaderState.NegativeInteger:
                    var encoded = _reader.ReadCborNegativeIntegerRepresentation();
                    WriteEpoch(encoded <= long.MaxValue ? -1L - (long)encoded : throw TimestampOutOfRange(what, at));
                    break;
                default:
                    var value = _reader.ReadDouble();
                    if (!double.IsFinite(value))
                    {
                        throw TimestampOutOfRange(what, at);
                    }
                    json.WriteNumberValue(IsMilliseconds(value) ? value / 1000 : value);
                    break;
            }
        }

        private void WriteEpoch(long value)
        {
            if (IsMilliseconds(value))
            {
                // Decimal division is exact: 1787036486712 ms is written 1787036486.712.
                json.WriteNumberValue(value / 1000m);
            }
            else
            {
                json.WriteNumberValue(value);
            }
        }

        private void WriteBigInteger(BigInteger value) =>
            json.WriteRawValue(value.ToString(CultureInfo.InvariantCulture), skipInputValidation: true);

        private void RefuseSimpleValue()
        {
            var at = Offset;
            var value = _reader.ReadSimpleValue();
            throw new KinesisSerializationException(value == CborSimpleValue.Undefined
                ? $"The CBOR value 'undefined' at byte {at} has no JSON equivalent; Kinesis clients send null or leave the member out."
                : $"The CBOR simple value {(byte)value} at byte {at} is not supported.");
        }

        private static float Finite(float value, int at) =>
            float.IsFinite(value) ? value : throw NotFinite(value.ToString(CultureInfo.InvariantCulture), at);

        private static double Finite(double value, int at) =>
            double.IsFinite(value) ? value : throw NotFinite(value.ToString(CultureInfo.InvariantCulture), at);

        private static KinesisSerializationException NotFinite(string value, int at) =>
            new($"The CBOR number {value} at byte {at} has no JSON equivalent.");

        private static KinesisSerializationException TimestampOutOfRange(string what, int at) =>
            new($"The timestamp ({what}) at byte {at} is out of range.");

        private static bool IsNumber(CborReaderState state) => state is CborReaderState.UnsignedInteger
            or CborReaderState.NegativeInteger
            or CborReaderState.HalfPrecisionFloat
            or CborReaderState.SinglePrecisionFloat
            or CborReaderState.DoublePrecisionFloat;

        private static string Describe(CborReaderState state) => state switch
        {
            CborReaderState.UnsignedInteger => "an unsigned integer",
            CborReaderState.NegativeInteger => "a negative integer",
            CborReaderState.ByteString or CborReaderState.StartIndefiniteLengthByteString => "a byte string",
            CborReaderState.TextString or CborReaderState.StartIndefiniteLengthTextString => "a text string",
            CborReaderState.StartArray => "an array",
            CborReaderState.StartMap => "a map",
            CborReaderState.Tag => "a tagged value",
            CborReaderState.SimpleValue => "a simple value",
            CborReaderState.HalfPrecisionFloat or CborReaderState.SinglePrecisionFloat or CborReaderState.DoublePrecisionFloat =>
                "a floating-point number",
            CborReaderState.Null => "null",
            CborReaderState.Boolean => "a boolean",
            CborReaderState.Finished => "the end of the body",
            _ => "a break byte",
        };
    }
}
