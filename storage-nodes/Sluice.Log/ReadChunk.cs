using System.Buffers.Binary;

namespace Sluice.Log;

/// <summary>
/// Records read from a log, encoded back to back for the wire, so that a read crosses process
/// boundaries as one buffer instead of an object per record.
/// </summary>
/// <remarks>
/// <code>
/// +-------------------+----------------+------------------+-----+-------+
/// | timestamp ms i64  | key length u16 | value length i32 | key | value |   little-endian, repeated
/// +-------------------+----------------+------------------+-----+-------+
/// </code>
/// Offsets are not stored: a read returns consecutive offsets from a first offset sent beside it.
/// </remarks>
public static class ReadChunk
{
    /// <summary>Framing bytes before each record's key.</summary>
    public const int HeaderSize = sizeof(long) + RecordBody.HeaderSize;

    /// <summary>Encoded size of the records.</summary>
    public static int Measure(IReadOnlyList<StoredRecord> records)
    {
        var size = 0;
        for (var i = 0; i < records.Count; i++)
        {
            size = checked(size + HeaderSize + records[i].Key.Length + records[i].Value.Length);
        }

        return size;
    }

    /// <summary>Encodes the records into <paramref name="destination"/>, which is <see cref="Measure"/> bytes long.</summary>
    public static void Write(Span<byte> destination, IReadOnlyList<StoredRecord> records)
    {
        var position = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            BinaryPrimitives.WriteInt64LittleEndian(destination[position..], record.TimestampMs);
            position += sizeof(long);
            position += RecordBody.Write(destination[position..], record.Key.Span, record.Value.Span);
        }
    }

    /// <summary>
    /// Reads the record at <paramref name="position"/> and advances it; false at the end or when the
    /// remaining bytes are not a whole record.
    /// </summary>
    public static bool TryRead(ReadOnlyMemory<byte> chunk, ref int position, out long timestampMs, out ReadOnlyMemory<byte> key, out ReadOnlyMemory<byte> value)
    {
        timestampMs = 0;
        key = value = default;
        var span = chunk.Span[position..];
        if (span.Length < HeaderSize)
        {
            return false;
        }

        timestampMs = BinaryPrimitives.ReadInt64LittleEndian(span);
        int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(span[sizeof(long)..]);
        var valueLength = BinaryPrimitives.ReadInt32LittleEndian(span[(sizeof(long) + 2)..]);
        if (valueLength < 0 || (long)HeaderSize + keyLength + valueLength > span.Length)
        {
            return false;
        }

        var start = position + HeaderSize;
        key = chunk.Slice(start, keyLength);
        value = chunk.Slice(start + keyLength, valueLength);
        position = start + keyLength + valueLength;
        return true;
    }
}
