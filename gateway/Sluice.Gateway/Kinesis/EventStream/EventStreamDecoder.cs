using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Sluice.Gateway.Kinesis.EventStream;

/// <summary>
/// Reads event-stream messages (layout in <see cref="EventStreamEncoder"/>), checking both CRCs.
/// Every header value type of the format is understood.
/// </summary>
internal static class EventStreamDecoder
{
    private const int MinMessageSize = EventStreamEncoder.PreludeSize + EventStreamEncoder.MessageCrcSize;

    /// <summary>
    /// Takes one whole message off the front of <paramref name="buffer"/>; false (and
    /// <paramref name="buffer"/> unchanged) when it does not hold a whole message yet.
    /// </summary>
    /// <exception cref="EventStreamFormatException">The bytes are not a valid message.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out EventStreamMessage? message)
    {
        message = null;
        if (buffer.Length < EventStreamEncoder.PreludeSize)
        {
            return false;
        }

        Span<byte> prelude = stackalloc byte[EventStreamEncoder.PreludeSize];
        buffer.Slice(0, EventStreamEncoder.PreludeSize).CopyTo(prelude);
        var total = BinaryPrimitives.ReadUInt32BigEndian(prelude);
        var headersLength = BinaryPrimitives.ReadUInt32BigEndian(prelude[4..]);
        if (BinaryPrimitives.ReadUInt32BigEndian(prelude[8..]) != Crc32.HashToUInt32(prelude[..8]))
        {
            throw new EventStreamFormatException("The prelude CRC does not match the prelude.");
        }

        if (total < MinMessageSize || total > EventStreamEncoder.MaxMessageBytes || headersLength > total - MinMessageSize)
        {
            throw new EventStreamFormatException($"A message length of {total} bytes with {headersLength} bytes of headers is not valid.");
        }

        if (buffer.Length < total)
        {
            return false;
        }

        var bytes = buffer.Slice(0, total).ToArray();
        var crcAt = (int)total - EventStreamEncoder.MessageCrcSize;
        if (BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(crcAt)) != Crc32.HashToUInt32(bytes.AsSpan(0, crcAt)))
        {
            throw new EventStreamFormatException("The message CRC does not match the message.");
        }

        var headers = ReadHeaders(bytes.AsSpan(EventStreamEncoder.PreludeSize, (int)headersLength));
        var payloadAt = EventStreamEncoder.PreludeSize + (int)headersLength;
        message = new EventStreamMessage(headers, bytes[payloadAt..crcAt]);
        buffer = buffer.Slice(total);
        return true;
    }

    /// <summary>Reads every message of <paramref name="bytes"/>, which must end at a message boundary.</summary>
    public static List<EventStreamMessage> ReadAll(ReadOnlyMemory<byte> bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        var messages = new List<EventStreamMessage>();
        while (TryRead(ref buffer, out var message))
        {
            messages.Add(message!);
        }

        if (!buffer.IsEmpty)
        {
            throw new EventStreamFormatException($"{buffer.Length} bytes after the last whole message.");
        }

        return messages;
    }

    private static Dictionary<string, object> ReadHeaders(ReadOnlySpan<byte> block)
    {
        var headers = new Dictionary<string, object>(StringComparer.Ordinal);
        while (!block.IsEmpty)
        {
            var nameLength = block[0];
            Need(block, 1 + nameLength + 1);
            var name = Encoding.UTF8.GetString(block.Slice(1, nameLength));
            var type = block[1 + nameLength];
            block = block[(2 + nameLength)..];
            object value;
            int size;
            switch (type)
            {
                case 0 or 1:
                    (value, size) = (type == 0, 0);
                    break;
                case 2:
                    Need(block, 1);
                    (value, size) = ((sbyte)block[0], 1);
                    break;
                case 3:
                    Need(block, 2);
                    (value, size) = (BinaryPrimitives.ReadInt16BigEndian(block), 2);
                    break;
                case 4:
                    Need(block, 4);
                    (value, size) = (BinaryPrimitives.ReadInt32BigEndian(block), 4);
                    break;
                case 5:
                    Need(block, 8);
                    (value, size) = (BinaryPrimitives.ReadInt64BigEndian(block), 8);
                    break;
                case 6 or EventStreamEncoder.StringValueType:
                    Need(block, 2);
                    var length = BinaryPrimitives.ReadUInt16BigEndian(block);
                    Need(block, 2 + length);
                    var raw = block.Slice(2, length);
                    (value, size) = (type == 6 ? raw.ToArray() : Encoding.UTF8.GetString(raw), 2 + length);
                    break;
                case 8:
                    Need(block, 8);
                    (value, size) = (DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(block)), 8);
                    break;
                case 9:
                    Need(block, 16);
                    (value, size) = (new Guid(block[..16], bigEndian: true), 16);
                    break;
                default:
                    throw new EventStreamFormatException($"Header '{name}' has unknown value type {type}.");
            }

            headers[name] = value;
            block = block[size..];
        }

        return headers;
    }

    private static void Need(ReadOnlySpan<byte> block, int bytes)
    {
        if (block.Length < bytes)
        {
            throw new EventStreamFormatException("A header runs past the end of the headers block.");
        }
    }
}
