using Google.Protobuf.Reflection;

namespace Sluice.Schemas.Protobuf;

/// <summary>
/// Confluent's message-index array, which precedes a Protobuf message in the wire format and says which message of the
/// schema it is: a zig-zag varint count, then that many zig-zag varint indexes, the first into the file's messages and
/// each next into the previous one's nested messages. A lone 0 (count zero) means [0], the first message, which is
/// what nearly every record carries. Map entry types are not counted: Confluent's schema model has none.
/// </summary>
/// <remarks>
/// <code>
/// +-----------------+-----------------+-----+-----------------+----------------------+
/// | count (zigzag)  | index 0 (zigzag)| ... | index n (zigzag)| message (wire format)|
/// +-----------------+-----------------+-----+-----------------+----------------------+
/// </code>
/// </remarks>
internal static class MessageIndexes
{
    /// <summary>Deeper nesting than this cannot be a real schema; refusing it bounds the work a hostile payload causes.</summary>
    private const int MaxCount = 100;

    /// <summary>The message the payload's index array names, and how many bytes the array took; null with the reason when it names none.</summary>
    public static MessageDescriptor? Resolve(FileDescriptor file, ReadOnlySpan<byte> payload, out int consumed, out string? error)
    {
        consumed = 0;
        error = null;
        if (payload.IsEmpty)
        {
            error = "$: the payload is empty: a Protobuf record starts with its message-index array (a 0 byte for the first message).";
            return null;
        }

        var position = 0;
        if (!WireFormat.TryReadVarint(payload, ref position, out var rawCount))
        {
            error = "$: the message-index array's count is a truncated or malformed varint.";
            return null;
        }

        var count = WireFormat.DecodeZigZag64(rawCount);
        if (count == 0)
        {
            consumed = position;
            return file.MessageTypes[0];
        }

        if (count < 0 || count > MaxCount)
        {
            error = $"$: the message-index array's count {count} is out of range (1 to {MaxCount}).";
            return null;
        }

        MessageDescriptor? message = null;
        for (var i = 0; i < count; i++)
        {
            if (!WireFormat.TryReadVarint(payload, ref position, out var rawIndex))
            {
                error = $"$: message index {i} of the message-index array is a truncated or malformed varint.";
                return null;
            }

            var index = WireFormat.DecodeZigZag64(rawIndex);
            message = message is null ? Nth(file.MessageTypes, index) : Nth(message.NestedTypes, index);
            if (message is null)
            {
                error = i == 0
                    ? $"$: message index {index} names no message: the schema has {CountMessages(file.MessageTypes)} top-level messages."
                    : $"$: message index {index} at depth {i} names no nested message.";
                return null;
            }
        }

        consumed = position;
        return message;
    }

    private static MessageDescriptor? Nth(IList<MessageDescriptor> messages, long index)
    {
        if (index < 0)
        {
            return null;
        }

        var seen = 0L;
        foreach (var candidate in messages)
        {
            if (candidate.IsMapEntry)
            {
                continue;
            }

            if (seen == index)
            {
                return candidate;
            }

            seen++;
        }

        return null;
    }

    private static int CountMessages(IList<MessageDescriptor> messages)
    {
        var count = 0;
        foreach (var message in messages)
        {
            if (!message.IsMapEntry)
            {
                count++;
            }
        }

        return count;
    }
}
