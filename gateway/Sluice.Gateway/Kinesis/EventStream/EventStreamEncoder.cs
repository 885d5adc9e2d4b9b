using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Sluice.Gateway.Kinesis.EventStream;

/// <summary>
/// Writes <c>application/vnd.amazon.eventstream</c> messages, the binary framing of AWS event
/// streams (Kinesis SubscribeToShard, Transcribe, S3 Select):
/// <code>
///  0               4               8              12
/// +---------------+---------------+---------------+----------------------+-----------------+---------------+
/// | total length  | headers length| prelude CRC32 | headers              | payload         | message CRC32 |
/// | (u32 BE)      | (u32 BE)      | of bytes 0..7 | (headers length)     | (the rest)      | of all before |
/// +---------------+---------------+---------------+----------------------+-----------------+---------------+
///
/// header: | name length (u8) | name (UTF-8) | value type (u8) | value |
///         a string value (type 7) is | length (u16 BE) | UTF-8 bytes |
/// </code>
/// Total length counts every byte of the message, both CRCs included. Both CRCs are CRC-32 (IEEE,
/// as zlib's <c>crc32</c>).
/// </summary>
internal static class EventStreamEncoder
{
    /// <summary>Total length, headers length and prelude CRC.</summary>
    public const int PreludeSize = 12;

    /// <summary>The message CRC after the payload.</summary>
    public const int MessageCrcSize = 4;

    /// <summary>The largest message the AWS SDKs accept (16 MiB).</summary>
    public const int MaxMessageBytes = 16 * 1024 * 1024;

    /// <summary>The largest headers block the AWS SDKs accept (128 KiB).</summary>
    public const int MaxHeadersBytes = 128 * 1024;

    /// <summary>Header value type of a UTF-8 string.</summary>
    public const byte StringValueType = 7;

    /// <summary>
    /// Encodes string headers as one headers block, to be made once and reused for every message
    /// that carries the same headers.
    /// </summary>
    public static byte[] EncodeHeaders(params ReadOnlySpan<(string Name, string Value)> headers)
    {
        var size = 0;
        foreach (var (name, value) in headers)
        {
            size += 1 + Encoding.UTF8.GetByteCount(name) + 1 + 2 + Encoding.UTF8.GetByteCount(value);
        }

        if (size > MaxHeadersBytes)
        {
            throw new ArgumentException($"The headers take {size} bytes, over the limit of {MaxHeadersBytes}.", nameof(headers));
        }

        var block = new byte[size];
        var span = block.AsSpan();
        foreach (var (name, value) in headers)
        {
            var nameLength = Encoding.UTF8.GetBytes(name, span[1..]);
            if (nameLength is 0 or > byte.MaxValue)
            {
                throw new ArgumentException($"Header name '{name}' must be 1 to 255 bytes long.", nameof(headers));
            }

            span[0] = (byte)nameLength;
            span = span[(1 + nameLength)..];
            span[0] = StringValueType;
            var valueLength = Encoding.UTF8.GetBytes(value, span[3..]);
            if (valueLength > short.MaxValue)
            {
                throw new ArgumentException($"The value of header '{name}' is over {short.MaxValue} bytes.", nameof(headers));
            }

            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)valueLength);
            span = span[(3 + valueLength)..];
        }

        return block;
    }

    /// <summary>The encoded size of a message with these headers and payload.</summary>
    public static int MessageSize(int headersLength, int payloadLength) => PreludeSize + headersLength + payloadLength + MessageCrcSize;

    /// <summary>Writes one message (headers from <see cref="EncodeHeaders"/>) straight into <paramref name="output"/>.</summary>
    /// <returns>The bytes written.</returns>
    public static int Write(IBufferWriter<byte> output, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        var size = MessageSize(headers.Length, payload.Length);
        if (size > MaxMessageBytes)
        {
            throw new ArgumentException($"An event-stream message of {size} bytes is over the limit of {MaxMessageBytes}.", nameof(payload));
        }

        var message = output.GetSpan(size)[..size];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)size);
        BinaryPrimitives.WriteUInt32BigEndian(message[4..], (uint)headers.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message[8..], Crc32.HashToUInt32(message[..8]));
        headers.CopyTo(message[PreludeSize..]);
        payload.CopyTo(message[(PreludeSize + headers.Length)..]);
        var crcAt = size - MessageCrcSize;
        BinaryPrimitives.WriteUInt32BigEndian(message[crcAt..], Crc32.HashToUInt32(message[..crcAt]));
        output.Advance(size);
        return size;
    }
}
