using System.Buffers;

namespace Sluice.Log.Internal;

/// <summary>
/// The in-memory sparse offset index of one segment. The writer appends while readers search: entries are written
/// before the count that exposes them, and a grown array is published before the count can pass the old length, so a
/// reader that reads the count first always finds initialised entries.
/// </summary>
internal sealed class OffsetIndex
{
    private const int InitialCapacity = 64;

    private OffsetIndexEntry[] _entries;
    private int _count;

    public OffsetIndex() => _entries = new OffsetIndexEntry[InitialCapacity];

    private OffsetIndex(OffsetIndexEntry[] entries, int count)
    {
        _entries = entries;
        _count = count;
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Adds an entry; single writer only, and entries must increase in both offset and position.</summary>
    public void Append(int relativeOffset, int position)
    {
        var count = _count;
        if (count == _entries.Length)
        {
            var grown = new OffsetIndexEntry[count * 2];
            Array.Copy(_entries, grown, count);
            Volatile.Write(ref _entries, grown);
        }

        _entries[count] = new OffsetIndexEntry(relativeOffset, position);
        Volatile.Write(ref _count, count + 1);
    }

    /// <summary>
    /// The last indexed batch whose base is at or below <paramref name="relativeOffset"/>, or (0, 0) for the start of
    /// the segment: the batch boundary to start scanning headers from when looking for that offset.
    /// </summary>
    public OffsetIndexEntry FindFloor(int relativeOffset)
    {
        var count = Volatile.Read(ref _count);
        var entries = Volatile.Read(ref _entries);
        int lo = 0, hi = count - 1;
        var found = default(OffsetIndexEntry);
        while (lo <= hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (entries[mid].RelativeOffset <= relativeOffset)
            {
                found = entries[mid];
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>The newest entry, or (0, 0) when empty.</summary>
    public OffsetIndexEntry Last
    {
        get
        {
            var count = Volatile.Read(ref _count);
            return count == 0 ? default : Volatile.Read(ref _entries)[count - 1];
        }
    }

    /// <summary>Drops entries at or above <paramref name="relativeOffset"/>; caller holds the write lock.</summary>
    public void TruncateFrom(int relativeOffset)
    {
        var count = _count;
        while (count > 0 && _entries[count - 1].RelativeOffset >= relativeOffset)
        {
            count--;
        }

        Volatile.Write(ref _count, count);
    }

    /// <summary>Persists the index next to its sealed segment.</summary>
    public void WriteTo(string path, long segmentBaseOffset) =>
        IndexFile.Write(path, segmentBaseOffset, _entries.AsSpan(0, _count));

    /// <summary>
    /// Loads and checks an index file against its segment: entries strictly increasing in offset and position, inside
    /// the segment's offsets and bytes. Null with a reason when it has to be rebuilt.
    /// </summary>
    public static OffsetIndex? TryLoad(string path, long segmentBaseOffset, long segmentRecordCount, long segmentBytes, out string? problem)
    {
        var buffer = IndexFile.TryReadEntries(
            path, IndexFileHeader.OffsetIndexKind, OffsetIndexEntry.Size, segmentBaseOffset, out var entryBytes, out problem);
        if (buffer is null)
        {
            return null;
        }

        try
        {
            var count = entryBytes / OffsetIndexEntry.Size;
            var entries = new OffsetIndexEntry[Math.Max(count, InitialCapacity)];
            var previous = new OffsetIndexEntry(-1, -1);
            for (var i = 0; i < count; i++)
            {
                var entry = OffsetIndexEntry.Read(buffer.AsSpan(i * OffsetIndexEntry.Size));
                if (entry.RelativeOffset <= previous.RelativeOffset || entry.Position <= previous.Position
                    || entry.RelativeOffset >= segmentRecordCount || entry.Position >= segmentBytes)
                {
                    problem = $"entry {i} ({entry}) out of order or out of range";
                    return null;
                }

                entries[i] = entry;
                previous = entry;
            }

            return new OffsetIndex(entries, count);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
