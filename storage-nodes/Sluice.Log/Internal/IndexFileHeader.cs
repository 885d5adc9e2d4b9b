using System.Buffers.Binary;

namespace Sluice.Log.Internal;

/// <summary>
/// The header at the start of a <c>.index</c> or <c>.timeindex</c> file. Little-endian.
/// <code>
///  0               4       6       8                               16
///  +---------------+-------+-------+-------------------------------+-- entries ...
///  | Kind (magic)  |Version|EntrySz| SegmentBaseOffset             |
///  | u32           | u16   | u16   | i64                           |
///  +---------------+-------+-------+-------------------------------+--
/// </code>
/// Indexes are derivable from the log, so any mismatch here (another version, another segment's file, a torn
/// write) simply means "rebuild", never "fail to open".
/// </summary>
internal readonly record struct IndexFileHeader(uint Kind, ushort Version, ushort EntrySize, long SegmentBaseOffset)
{
    /// <summary>Bytes in the header; the first entry starts here.</summary>
    public const int Size = 16;

    /// <summary>Format version of both index kinds.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>"SLOI" read as a little-endian u32: a sparse offset index.</summary>
    public const uint OffsetIndexKind = 0x494F_4C53;

    /// <summary>"SLTI" read as a little-endian u32: a time index.</summary>
    public const uint TimeIndexKind = 0x4954_4C53;

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Kind);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], EntrySize);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], SegmentBaseOffset);
    }

    /// <summary>Parses a header without checking it.</summary>
    public static IndexFileHeader Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(source),
        BinaryPrimitives.ReadUInt16LittleEndian(source[4..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[6..]),
        BinaryPrimitives.ReadInt64LittleEndian(source[8..]));
}
