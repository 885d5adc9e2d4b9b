using System.Buffers.Binary;
using Microsoft.Extensions.Logging;

namespace Sluice.Log.Internal;

/// <summary>
/// The leader epoch cache of one log (Kafka's <c>LeaderEpochFileCache</c>): for each epoch that wrote to the log, the
/// offset of its first batch. Persisted in <see cref="FileName"/> as a <see cref="CheckpointFile"/> whose payload is
/// <code>
///  0               4               8                       16
///  +---------------+---------------+-----------------------+-- Count entries
///  | Count         | Epoch         | StartOffset           |
///  | i32           | i32           | i64                   |
///  +---------------+---------------+-----------------------+--
/// </code>
/// Threads: one writer (the log's writer loop, or a caller holding the log's write lock) changes it, rarely; readers
/// take an immutable snapshot of the entries.
/// </summary>
internal sealed class LeaderEpochCache
{
    public const string FileName = "leader-epoch-checkpoint";

    private const int CountSize = sizeof(int);
    private const int EntrySize = sizeof(int) + sizeof(long);

    private readonly string _path;
    private readonly ILogger _logger;
    private EpochEntry[] _entries;

    private LeaderEpochCache(string path, EpochEntry[] entries, ILogger logger)
    {
        _path = path;
        _entries = entries;
        _logger = logger;
    }

    /// <summary>The entries, oldest first; an immutable snapshot.</summary>
    public EpochEntry[] Entries => Volatile.Read(ref _entries);

    /// <summary>The newest epoch, or -1.</summary>
    public int LatestEpoch
    {
        get
        {
            var entries = Entries;
            return entries.Length == 0 ? -1 : entries[^1].Epoch;
        }
    }

    /// <summary>
    /// Loads the checkpoint of <paramref name="directory"/>; null with a reason when it is missing or unusable (then
    /// the caller rebuilds it from the batch headers).
    /// </summary>
    public static LeaderEpochCache? TryLoad(string directory, ILogger logger, out string? problem)
    {
        var path = Path.Combine(directory, FileName);
        var payload = CheckpointFile.TryRead(path, CheckpointFile.LeaderEpochKind, out problem);
        if (payload is null)
        {
            return null;
        }

        var entries = TryParse(payload, out problem);
        return entries is null ? null : new LeaderEpochCache(path, entries, logger);
    }

    /// <summary>A cache holding <paramref name="entries"/> (already ordered), not yet persisted.</summary>
    public static LeaderEpochCache Create(string directory, EpochEntry[] entries, ILogger logger) =>
        new(Path.Combine(directory, FileName), entries, logger);

    /// <summary>Adds entries (each newer than the last) and persists the cache.</summary>
    public void Append(ReadOnlySpan<EpochEntry> added)
    {
        if (added.IsEmpty)
        {
            return;
        }

        Volatile.Write(ref _entries, [.. _entries, .. added]);
        Persist();
    }

    /// <summary>Removes the entries starting at or after <paramref name="offset"/>; persists if any went. True if any did.</summary>
    public bool TruncateFrom(long offset)
    {
        var entries = _entries;
        var keep = entries.Length;
        while (keep > 0 && entries[keep - 1].StartOffset >= offset)
        {
            keep--;
        }

        if (keep == entries.Length)
        {
            return false;
        }

        Volatile.Write(ref _entries, entries[..keep]);
        Persist();
        return true;
    }

    /// <summary>Removes every entry and persists the empty cache.</summary>
    public void Clear()
    {
        Volatile.Write(ref _entries, []);
        Persist();
    }

    /// <summary>Writes the checkpoint file (tmp, fsync, rename, directory fsync).</summary>
    public void Persist()
    {
        var entries = _entries;
        var payload = new byte[CountSize + (entries.Length * EntrySize)];
        BinaryPrimitives.WriteInt32LittleEndian(payload, entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var at = payload.AsSpan(CountSize + (i * EntrySize));
            BinaryPrimitives.WriteInt32LittleEndian(at, entries[i].Epoch);
            BinaryPrimitives.WriteInt64LittleEndian(at[sizeof(int)..], entries[i].StartOffset);
        }

        CheckpointFile.Write(_path, CheckpointFile.LeaderEpochKind, payload, _logger);
    }

    /// <summary>
    /// Kafka's <c>endOffsetFor</c> over a snapshot: the requested epoch when it is the latest (ending at
    /// <paramref name="logEndOffset"/>); undefined when there are no entries or it predates the first; otherwise the
    /// largest epoch at or below it, ending where the next higher epoch starts (or at the log end if none does).
    /// </summary>
    public static EpochEndOffset EndOffsetFor(EpochEntry[] entries, int epoch, long logEndOffset)
    {
        if (entries.Length == 0 || epoch < entries[0].Epoch)
        {
            return EpochEndOffset.Undefined;
        }

        if (epoch == entries[^1].Epoch)
        {
            return new EpochEndOffset(epoch, logEndOffset);
        }

        // The first entry with a higher epoch; entries are few (one per leader change), but sorted, so search anyway.
        int lo = 0, hi = entries.Length - 1, higher = entries.Length;
        while (lo <= hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (entries[mid].Epoch > epoch)
            {
                higher = mid;
                hi = mid - 1;
            }
            else
            {
                lo = mid + 1;
            }
        }

        var floor = entries[higher - 1];
        var end = higher == entries.Length ? logEndOffset : Math.Min(entries[higher].StartOffset, logEndOffset);
        return new EpochEndOffset(floor.Epoch, end);
    }

    private static EpochEntry[]? TryParse(byte[] payload, out string? problem)
    {
        if (payload.Length < CountSize)
        {
            problem = "no entry count";
            return null;
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(payload);
        if (count < 0 || (long)CountSize + ((long)count * EntrySize) != payload.Length)
        {
            problem = $"{count} entries in a payload of {payload.Length} bytes";
            return null;
        }

        var entries = new EpochEntry[count];
        for (var i = 0; i < count; i++)
        {
            var at = payload.AsSpan(CountSize + (i * EntrySize));
            entries[i] = new EpochEntry(BinaryPrimitives.ReadInt32LittleEndian(at), BinaryPrimitives.ReadInt64LittleEndian(at[sizeof(int)..]));
            if (entries[i].Epoch < 0 || entries[i].StartOffset < 0
                || (i > 0 && (entries[i].Epoch <= entries[i - 1].Epoch || entries[i].StartOffset <= entries[i - 1].StartOffset)))
            {
                problem = $"entry {i} ({entries[i].Epoch}, {entries[i].StartOffset}) out of order";
                return null;
            }
        }

        problem = null;
        return entries;
    }
}
