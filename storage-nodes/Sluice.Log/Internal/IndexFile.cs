using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Sluice.Log.Internal;

/// <summary>Reads and writes whole index files (an <see cref="IndexFileHeader"/> followed by fixed-size entries).</summary>
internal static class IndexFile
{
    /// <summary>
    /// Replaces <paramref name="path"/> with a header and the entries, written straight into one buffer, and fsyncs it. Called when a segment is sealed,
    /// so the cost is paid once per segment rather than per append.
    /// </summary>
    public static void Write<T>(string path, long segmentBaseOffset, ReadOnlySpan<T> entries)
        where T : struct, IIndexEntry
    {
        var length = IndexFileHeader.Size + (entries.Length * T.EntrySize);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            new IndexFileHeader(T.FileKind, IndexFileHeader.CurrentVersion, (ushort)T.EntrySize, segmentBaseOffset).Write(buffer);
            for (var i = 0; i < entries.Length; i++)
            {
                entries[i].Write(buffer.AsSpan(IndexFileHeader.Size + (i * T.EntrySize)));
            }

            using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.Read | FileShare.Delete);
            RandomAccess.Write(handle, buffer.AsSpan(0, length), 0);
            RandomAccess.FlushToDisk(handle);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads the entries of an index file into a pooled buffer after checking the header. Returns null and a reason
    /// when the file is missing or does not belong to this segment; the caller returns the buffer to the shared pool.
    /// </summary>
    public static byte[]? TryReadEntries(
        string path, uint kind, int entrySize, long segmentBaseOffset, out int entryBytes, out string? problem)
    {
        entryBytes = 0;
        if (!File.Exists(path))
        {
            problem = "missing";
            return null;
        }

        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        if (length < IndexFileHeader.Size || (length - IndexFileHeader.Size) % entrySize != 0 || length > Array.MaxLength)
        {
            problem = $"length {length} is not a header plus whole {entrySize}-byte entries";
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)length);
        if (ReadFully(handle, buffer.AsSpan(0, (int)length), 0) != length)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            problem = "shorter than its length";
            return null;
        }

        var header = IndexFileHeader.Read(buffer);
        if (header.Kind != kind || header.Version != IndexFileHeader.CurrentVersion || header.EntrySize != entrySize
            || header.SegmentBaseOffset != segmentBaseOffset)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            problem = $"header {header} does not match";
            return null;
        }

        entryBytes = (int)length - IndexFileHeader.Size;
        buffer.AsSpan(IndexFileHeader.Size, entryBytes).CopyTo(buffer);
        problem = null;
        return buffer;
    }

    /// <summary>Reads until <paramref name="destination"/> is full or the file ends; returns the bytes read.</summary>
    public static int ReadFully(SafeFileHandle handle, Span<byte> destination, long position)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = RandomAccess.Read(handle, destination[total..], position + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
