using System.Buffers.Binary;

namespace Sluice.Log.Internal;

/// <summary>
/// One entry of the time index (format version <see cref="IndexFileHeader.CurrentVersion"/>): the batch at
/// <see cref="RelativeOffset"/> carries <see cref="Timestamp"/>, and because the writer keeps timestamps monotonic,
/// nothing before it is newer.
/// <code>
///  0                               8               12
///  +-------------------------------+---------------+
///  | Timestamp (unix ms)           | RelativeOffset|
///  | i64                           | i32           |
///  +-------------------------------+---------------+
/// </code>
/// </summary>
internal readonly record struct TimeIndexEntry(long Timestamp, int RelativeOffset) : IIndexEntry
{
    /// <summary>Bytes per entry.</summary>
    public static uint FileKind => IndexFileHeader.TimeIndexKind;

    public static int EntrySize => Size;

    public const int Size = 12;

    /// <summary>Writes the entry into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination, Timestamp);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], RelativeOffset);
    }

    /// <summary>Parses an entry.</summary>
    public static TimeIndexEntry Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadInt64LittleEndian(source),
        BinaryPrimitives.ReadInt32LittleEndian(source[8..]));
}
