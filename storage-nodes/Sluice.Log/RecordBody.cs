using Sluice.Log.Internal;

namespace Sluice.Log;

/// <summary>
/// The encoding of records inside a batch, for callers that build batches themselves and hand
/// them to <see cref="PartitionLog.AppendEncodedAsync"/> without a per-record object on the way.
/// </summary>
/// <remarks>
/// <code>
/// +----------------+-------------------+-----------+-------------+
/// | key length u16 | value length i32  | key bytes | value bytes |   little-endian, repeated
/// +----------------+-------------------+-----------+-------------+
/// </code>
/// </remarks>
public static class RecordBody
{
    /// <summary>Bytes of framing before each record's key.</summary>
    public const int HeaderSize = RecordHeader.Size;

    /// <summary>The longest key a record may have.</summary>
    public const int MaxKeyLength = RecordHeader.MaxKeyLength;

    /// <summary>Encoded size of one record.</summary>
    public static int EncodedLength(int keyLength, int valueLength) => checked(RecordHeader.Size + keyLength + valueLength);

    /// <summary>Writes one record; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) =>
        RecordHeader.Write(destination, key, value);

    /// <summary>Writes a record's framing for a key and value the caller writes right after it.</summary>
    public static void WriteHeader(Span<byte> destination, int keyLength, int valueLength)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(destination, checked((ushort)keyLength));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(destination[2..], valueLength);
    }

    /// <summary>
    /// Counts the records of an encoded body; false when the body is not a whole number of
    /// well-formed records (a length field pointing past the end, trailing bytes).
    /// </summary>
    public static bool TryCount(ReadOnlySpan<byte> body, out int count)
    {
        count = 0;
        while (!body.IsEmpty)
        {
            if (!RecordHeader.TryRead(body, out var header))
            {
                return false;
            }

            body = body[header.EncodedLength..];
            count++;
        }

        return true;
    }
}
