using System.Buffers.Binary;

namespace Sluice.Log.Internal;

/// <summary>
/// The framing in front of each record inside a batch body (format version: the batch's
/// <see cref="BatchHeader.CurrentMagic"/>). Little-endian.
/// <code>
///  0       2               6
///  +-------+---------------+-----------------+-------------------+
///  | KeyLen| ValueLen      | Key (KeyLen)    | Value (ValueLen)  |
///  | u16   | i32           |                 |                   |
///  +-------+---------------+-----------------+-------------------+
/// </code>
/// Offsets and timestamps are not repeated per record: a record's offset is the batch base offset plus its index,
/// and all records of one append share the batch's arrival timestamp.
/// </summary>
internal readonly record struct RecordHeader(int KeyLength, int ValueLength)
{
    /// <summary>Bytes of framing per record.</summary>
    public const int Size = 6;

    /// <summary>Longest key the u16 length can describe.</summary>
    public const int MaxKeyLength = ushort.MaxValue;

    /// <summary>Bytes the whole record occupies: framing, key and value.</summary>
    public int EncodedLength => Size + KeyLength + ValueLength;

    /// <summary>Bytes a record with these lengths occupies in a batch.</summary>
    public static long EncodedLengthOf(int keyLength, int valueLength) => (long)Size + keyLength + valueLength;

    /// <summary>Writes the framing and the payload; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, checked((ushort)key.Length));
        BinaryPrimitives.WriteInt32LittleEndian(destination[2..], value.Length);
        key.CopyTo(destination[Size..]);
        value.CopyTo(destination[(Size + key.Length)..]);
        return Size + key.Length + value.Length;
    }

    /// <summary>
    /// Parses the framing at the start of <paramref name="source"/>; false when it is cut short or claims more bytes
    /// than <paramref name="source"/> holds (only a corrupt batch or a bug gets here: the CRC was already checked).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out RecordHeader header)
    {
        header = default;
        if (source.Length < Size)
        {
            return false;
        }

        int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(source);
        var valueLength = BinaryPrimitives.ReadInt32LittleEndian(source[2..]);
        if (valueLength < 0 || (long)Size + keyLength + valueLength > source.Length)
        {
            return false;
        }

        header = new RecordHeader(keyLength, valueLength);
        return true;
    }
}
