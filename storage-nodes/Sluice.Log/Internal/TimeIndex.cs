using System.Buffers;

namespace Sluice.Log.Internal;

/// <summary>
/// The in-memory time index of one segment; same single-writer, many-reader publication rules as
/// <see cref="OffsetIndex"/>. Timestamps strictly increase from entry to entry.
/// </summary>
internal sealed class TimeIndex
{
    private const int InitialCapacity = 64;

    private TimeIndexEntry[] _entries;
    private int _count;

    public TimeIndex() => _entries = new TimeIndexEntry[InitialCapacity];

    private TimeIndex(TimeIndexEntry[] entries, int count)
    {
        _entries = entries;
        _count = count;
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>The newest entry's timestamp, or <see cref="long.MinValue"/> when empty.</summary>
    public long LastTimestamp
    {
        get
        {
            var count = Volatile.Read(ref _count);
            return count == 0 ? long.MinValue : Volatile.Read(ref _entries)[count - 1].Timestamp;
        }
    }

    /// <summary>Adds an entry if it is newer than the last one; single writer only.</summary>
    public void MaybeAppend(long timestamp, int relativeOffset)
    {
        var count = _count;
        if (count > 0 && _entries[count - 1].Timestamp >= timestamp)
        {
            return;
        }

        if (count == _entries.Length)
        {
            var grown = new TimeIndexEntry[count * 2];
            Array.Copy(_entries, grown, count);
            Volatile.Write(ref _entries, grown);
        }

        _entries[count] = new TimeIndexEntry(timestamp, relativeOffset);
        Volatile.Write(ref _count, count + 1);
    }

    /// <summary>
    /// A relative offset from which a forward scan finds the first batch with a timestamp at or after
    /// <paramref name="timestamp"/>: the last entry older than it (everything up to that batch is older), or 0.
    /// </summary>
    public int FindScanStart(long timestamp)
    {
        var count = Volatile.Read(ref _count);
        var entries = Volatile.Read(ref _entries);
        int lo = 0, hi = count - 1, relativeOffset = 0;
        while (lo <= hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (entries[mid].Timestamp < timestamp)
            {
                relativeOffset = entries[mid].RelativeOffset;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return relativeOffset;
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
    /// Loads and checks a time index file: timestamps strictly increasing, offsets non-decreasing and inside the
    /// segment, and at least one entry for a non-empty segment (sealing always writes the newest timestamp).
    /// </summary>
    public static TimeIndex? TryLoad(string path, long segmentBaseOffset, long segmentRecordCount, out string? problem)
    {
        var buffer = IndexFile.TryReadEntries(
            path, IndexFileHeader.TimeIndexKind, TimeIndexEntry.Size, segmentBaseOffset, out var entryBytes, out problem);
        if (buffer is null)
        {
            return null;
        }

        try
        {
            var count = entryBytes / TimeIndexEntry.Size;
            if (count == 0 && segmentRecordCount > 0)
            {
                problem = "no entries for a non-empty segment";
                return null;
            }

            var entries = new TimeIndexEntry[Math.Max(count, InitialCapacity)];
            var previous = new TimeIndexEntry(long.MinValue, 0);
            for (var i = 0; i < count; i++)
            {
                var entry = TimeIndexEntry.Read(buffer.AsSpan(i * TimeIndexEntry.Size));
                if ((i > 0 && entry.Timestamp <= previous.Timestamp) || entry.RelativeOffset < previous.RelativeOffset
                    || entry.RelativeOffset >= segmentRecordCount)
                {
                    problem = $"entry {i} ({entry}) out of order or out of range";
                    return null;
                }

                entries[i] = entry;
                previous = entry;
            }

            return new TimeIndex(entries, count);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
