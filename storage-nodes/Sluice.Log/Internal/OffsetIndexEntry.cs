using System.Buffers.Binary;

namespace Sluice.Log.Internal;

/// <summary>
/// One entry of the sparse offset index (format version <see cref="IndexFileHeader.CurrentVersion"/>): the batch
/// starting at <see cref="RelativeOffset"/> (from the segment base) begins at byte <see cref="Position"/>.
/// <code>
///  0               4               8
///  +---------------+---------------+
///  | RelativeOffset| Position      |
///  | i32           | i32           |
///  +---------------+---------------+
/// </code>
/// </summary>
internal readonly record struct OffsetIndexEntry(int RelativeOffset, int Position) : IIndexEntry
{
    /// <summary>Bytes per entry.</summary>
    public static uint FileKind => IndexFileHeader.OffsetIndexKind;

    public static int EntrySize => Size;

    public const int Size = 8;

    /// <summary>Writes the entry into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, RelativeOffset);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], Position);
    }

    /// <summary>Parses an entry.</summary>
    public static OffsetIndexEntry Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadInt32LittleEndian(source),
        BinaryPrimitives.ReadInt32LittleEndian(source[4..]));
}
