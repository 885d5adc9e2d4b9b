using System.Buffers;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Sluice.Log.Internal;

/// <summary>
/// One segment: a <c>{baseOffset:D20}.log</c> file of batches plus its sparse offset and time indexes. The active
/// (last) segment keeps its indexes in memory only and rebuilds them from the log on open; a segment writes its
/// index files when it is sealed, and sealed segments load them lazily on the first lookup.
/// <para>
/// Threads: one writer (the log's write loop, or retention/truncation holding the same write lock) mutates; readers
/// only use the published fields, the handle and the indexes. Readers pin the segment with <see cref="TryAcquire"/>
/// so retention can drop it from the log while a read is still in it; the file closes (and is deleted, if retention
/// asked) when the last pin goes.
/// </para>
/// </summary>
internal sealed class Segment
{
    public const string LogExtension = ".log";
    public const string IndexExtension = ".index";
    public const string TimeIndexExtension = ".timeindex";

    /// <summary>Suffix of files renamed for deletion; whatever a crash leaves of them is removed on open.</summary>
    public const string DeletedSuffix = ".deleted";

    /// <summary>Timestamp of a segment without records.</summary>
    public const long NoTimestamp = -1;

    private const int FileNameDigits = 20;

    private readonly int _indexIntervalBytes;
    private readonly ILogger _logger;
    private readonly Lock _indexLoadLock = new();
    private OffsetIndex? _offsetIndex;
    private TimeIndex? _timeIndex;

    // Writer's view, ahead of what is published while a group commit is in flight.
    private long _writtenNextOffset;
    private long _writtenMaxTimestamp;
    private long _bytesSinceIndexEntry;

    // What readers may see.
    private long _publishedSize;
    private long _publishedNextOffset;
    private long _publishedMaxTimestamp;

    private int _pins = 1; // the log's own pin
    private volatile string[]? _pathsToDelete;

    private Segment(string directory, long baseOffset, SafeFileHandle handle, LogOptions options, ILogger logger)
    {
        BaseOffset = baseOffset;
        var stem = Path.Combine(directory, FileStem(baseOffset));
        LogPath = stem + LogExtension;
        IndexPath = stem + IndexExtension;
        TimeIndexPath = stem + TimeIndexExtension;
        Handle = handle;
        _indexIntervalBytes = options.IndexIntervalBytes;
        _logger = logger;
        _writtenNextOffset = _publishedNextOffset = baseOffset;
        _writtenMaxTimestamp = _publishedMaxTimestamp = NoTimestamp;
    }

    public long BaseOffset { get; }

    public string LogPath { get; }

    public string IndexPath { get; }

    public string TimeIndexPath { get; }

    public SafeFileHandle Handle { get; }

    private long _size;

    /// <summary>Bytes written so far (writer's view).</summary>
    public long Size
    {
        get => _size;
        private set => Volatile.Write(ref _size, value); // after the write itself: see WrittenSize
    }

    /// <summary>
    /// Bytes of whole batches written so far, durable or not, for any thread: the file holds them (in the page cache at
    /// least) before this moves. Only a follower's fetch reads this far ahead of <see cref="PublishedSize"/>.
    /// </summary>
    public long WrittenSize => Volatile.Read(ref _size);

    /// <summary>True once the segment stopped being the active one and its index files were written.</summary>
    public bool IsSealed { get; private set; }

    /// <summary>Bytes readers may read: whole, published batches only.</summary>
    public long PublishedSize => Volatile.Read(ref _publishedSize);

    /// <summary>One past the last published offset in this segment.</summary>
    public long NextOffset => Volatile.Read(ref _publishedNextOffset);

    /// <summary>Timestamp of the newest published batch, or <see cref="NoTimestamp"/>.</summary>
    public long MaxTimestamp => Volatile.Read(ref _publishedMaxTimestamp);

    /// <summary>Leader epoch of the last batch the open-time scan of the tail found, or -1 (only set by <see cref="OpenActive"/>).</summary>
    public int RecoveredLastEpoch { get; private set; } = -1;

    /// <summary>Offset after the last batch written, published or not (writer's view).</summary>
    public long WrittenNextOffset => _writtenNextOffset;

    public static string FileStem(long baseOffset) => baseOffset.ToString("D20", CultureInfo.InvariantCulture);

    /// <summary>Recognises <c>{baseOffset:D20}.log</c>; anything else in the directory is not a segment.</summary>
    public static bool TryParseLogFileName(string fileName, out long baseOffset)
    {
        baseOffset = 0;
        return fileName.Length == FileNameDigits + LogExtension.Length
            && fileName.EndsWith(LogExtension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, FileNameDigits), NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }

    /// <summary>Creates a new, empty active segment.</summary>
    public static Segment Create(string directory, long baseOffset, LogOptions options, ILogger logger)
    {
        var path = Path.Combine(directory, FileStem(baseOffset) + LogExtension);
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        return new Segment(directory, baseOffset, handle, options, logger)
        {
            _offsetIndex = new OffsetIndex(),
            _timeIndex = new TimeIndex(),
        };
    }

    /// <summary>
    /// Opens the tail segment: checks every batch (framing, offsets, CRC), cuts the file at the first torn or corrupt
    /// one and rebuilds the in-memory indexes from what is left. Only the tail needs this, because a segment is
    /// fsynced when it is sealed, under either flush policy.
    /// </summary>
    public static Segment OpenActive(string directory, long baseOffset, LogOptions options, ILogger logger)
    {
        var segment = OpenExisting(directory, baseOffset, options, logger);
        try
        {
            var length = RandomAccess.GetLength(segment.Handle);
            var validEnd = segment.BuildIndexesFromLog(length, verifyCrc: true, out var problem);
            if (validEnd < length)
            {
                logger.TruncatedTornTail(segment.LogPath, length - validEnd, validEnd, problem ?? "unknown");
                RandomAccess.SetLength(segment.Handle, validEnd);
                RandomAccess.FlushToDisk(segment.Handle);
            }

            segment.Size = validEnd;
            segment.Publish();
            return segment;
        }
        catch
        {
            segment.Handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a sealed segment. Its record range is known from its neighbour; its newest timestamp comes from the end
    /// of the time index, and the indexes are only sanity-checked now (fully loaded on first lookup) so that opening
    /// a log with thousands of segments reads little.
    /// </summary>
    public static Segment OpenSealed(string directory, long baseOffset, long nextOffset, LogOptions options, ILogger logger)
    {
        var segment = OpenExisting(directory, baseOffset, options, logger);
        try
        {
            segment.Size = RandomAccess.GetLength(segment.Handle);
            segment._writtenNextOffset = nextOffset;
            segment.IsSealed = true;
            if (segment.TryReadNewestTimestamp(out var maxTimestamp, out var problem))
            {
                segment._writtenMaxTimestamp = maxTimestamp;
            }
            else
            {
                segment.RebuildSealedIndexes(problem);
            }

            segment.Publish();
            return segment;
        }
        catch
        {
            segment.Handle.Dispose();
            throw;
        }
    }

    private static Segment OpenExisting(string directory, long baseOffset, LogOptions options, ILogger logger)
    {
        var path = Path.Combine(directory, FileStem(baseOffset) + LogExtension);
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        return new Segment(directory, baseOffset, handle, options, logger);
    }

    // ---- writer side (callers hold the log's write lock) ----

    /// <summary>True if a batch of <paramref name="batchLength"/> bytes and <paramref name="recordCount"/> records must go to a new segment.</summary>
    public bool MustRollFor(long pendingBytes, int batchLength, long pendingRecords, int recordCount, long segmentBytes)
    {
        if (Size + pendingBytes == 0)
        {
            return false; // a batch larger than a segment still gets a segment of its own
        }

        return Size + pendingBytes + batchLength > segmentBytes
            || _writtenNextOffset + pendingRecords + recordCount - BaseOffset > int.MaxValue; // relative offsets are i32
    }

    /// <summary>Appends bytes at the end of the file (one positional write; no shared file pointer).</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        RandomAccess.Write(Handle, bytes, Size);
        Size += bytes.Length;
    }

    /// <summary>Records a batch that has been written at <paramref name="position"/> in the indexes and the writer's view.</summary>
    public void OnBatchWritten(long baseOffset, int recordCount, long position, int batchLength, long timestamp)
    {
        var relativeOffset = (int)(baseOffset - BaseOffset);
        if (_bytesSinceIndexEntry >= _indexIntervalBytes)
        {
            _offsetIndex!.Append(relativeOffset, (int)position);
            _timeIndex!.MaybeAppend(timestamp, relativeOffset);
            _bytesSinceIndexEntry = 0;
        }

        _bytesSinceIndexEntry += batchLength;
        _writtenNextOffset = baseOffset + recordCount;
        _writtenMaxTimestamp = Math.Max(_writtenMaxTimestamp, timestamp);
    }

    /// <summary>The newest timestamp written so far (visible or not).</summary>
    public long WrittenMaxTimestamp => _writtenMaxTimestamp;

    /// <summary>Makes everything written so far visible to readers (size before offsets: see the read path).</summary>
    public void Publish() => Publish(Size, _writtenNextOffset, _writtenMaxTimestamp);

    /// <summary>
    /// Makes what was written up to <paramref name="size"/> bytes and <paramref name="nextOffset"/> visible to readers,
    /// while later writes may already be in the file (a pipelined commit waiting for its sync).
    /// </summary>
    public void Publish(long size, long nextOffset, long maxTimestamp)
    {
        Volatile.Write(ref _publishedSize, size);
        Volatile.Write(ref _publishedMaxTimestamp, maxTimestamp);
        Volatile.Write(ref _publishedNextOffset, nextOffset);
    }

    public void Flush() => RandomAccess.FlushToDisk(Handle);


    /// <summary>
    /// Ends this segment's life as the active one: its data is fsynced (recovery only scans the tail, so a sealed
    /// segment must be complete on disk) and its indexes are written, the time index ending with the newest
    /// timestamp so that a reopen knows it without scanning.
    /// </summary>
    public void Seal()
    {
        if (_writtenNextOffset > BaseOffset)
        {
            _timeIndex!.MaybeAppend(_writtenMaxTimestamp, (int)(_writtenNextOffset - 1 - BaseOffset));
        }

        Flush();
        _offsetIndex!.WriteTo(IndexPath, BaseOffset);
        _timeIndex!.WriteTo(TimeIndexPath, BaseOffset);
        IsSealed = true;
    }

    /// <summary>
    /// Drops every record at and above <paramref name="offset"/> (which lies in this segment) and makes this the
    /// active segment again. A batch that straddles the offset is shortened in place to the records before it, with
    /// a new header and CRC, so the cut is exact. Returns the bytes removed.
    /// </summary>
    public long TruncateTo(long offset, LogEncryption encryption)
    {
        if (offset >= _writtenNextOffset)
        {
            return 0;
        }

        EnsureIndexes();
        var relative = (int)(offset - BaseOffset);
        var floor = _offsetIndex!.FindFloor(relative);
        if (floor.RelativeOffset > 0)
        {
            // Start one index entry earlier so the batch before the cut (whose timestamp survives) is seen too.
            floor = _offsetIndex.FindFloor(floor.RelativeOffset - 1);
        }

        long cut = -1;
        var maxTimestamp = NoTimestamp;
        using (var scanner = new SegmentScanner(
            Handle, floor.Position, Size, BaseOffset + floor.RelativeOffset, verifyCrc: false, SegmentScanner.LookupBufferSize))
        {
            while (scanner.TryReadNext(out var header, out var position))
            {
                if (header.NextOffset <= offset)
                {
                    maxTimestamp = header.MaxTimestamp;
                    continue;
                }

                cut = header.BaseOffset == offset ? position : position + ShortenBatch(position, header, offset, encryption);
                if (header.BaseOffset < offset)
                {
                    maxTimestamp = header.MaxTimestamp;
                }

                break;
            }

            if (cut < 0)
            {
                throw new InvalidDataException($"Offset {offset} not found in {LogPath}: {scanner.Problem ?? "end of segment"}");
            }
        }

        var removed = Size - cut;
        RandomAccess.SetLength(Handle, cut);
        Flush();
        Size = cut;
        _offsetIndex.TruncateFrom(relative);
        _timeIndex!.TruncateFrom(relative);
        _bytesSinceIndexEntry = cut - _offsetIndex.Last.Position;
        _writtenNextOffset = offset;
        _writtenMaxTimestamp = maxTimestamp;
        if (IsSealed)
        {
            // Index files of an active segment would go stale with the next append; it is rebuilt from the log on open.
            IsSealed = false;
            TryDelete(IndexPath);
            TryDelete(TimeIndexPath);
        }

        Publish();
        return removed;
    }

    /// <summary>
    /// Cuts the batch at <paramref name="position"/> to its records below <paramref name="offset"/>. A plain batch only
    /// needs a new header (the kept records stay where they are); an encrypted one is opened and the kept records
    /// sealed again under a fresh nonce, since its tag covers all of them.
    /// </summary>
    private int ShortenBatch(long position, BatchHeader header, long offset, LogEncryption encryption)
    {
        var batch = ArrayPool<byte>.Shared.Rent(header.BatchLength);
        try
        {
            var bytes = batch.AsSpan(0, header.BatchLength);
            if (IndexFile.ReadFully(Handle, bytes, position) != bytes.Length || !BatchHeader.HasValidCrc(bytes))
            {
                throw new InvalidDataException($"Batch at offset {header.BaseOffset} in {LogPath} is corrupt");
            }

            BatchCipher? cipher = null;
            if (header.IsEncrypted)
            {
                cipher = encryption.Find(BatchEnvelope.KeyVersionOf(bytes));
                if (BatchEnvelope.TryOpen(bytes, header.BaseOffset, encryption) is { } problem)
                {
                    throw new InvalidDataException($"Cannot shorten the batch at offset {header.BaseOffset} in {LogPath}: {problem}");
                }
            }

            var keep = (int)(offset - header.BaseOffset);
            var length = header.RecordsStart;
            for (var i = 0; i < keep; i++)
            {
                if (!RecordHeader.TryRead(bytes[length..], out var record))
                {
                    throw new InvalidDataException($"Batch at offset {header.BaseOffset} in {LogPath} has a bad record");
                }

                length += record.EncodedLength;
            }

            (header with { BatchLength = length, RecordCount = keep, Crc = 0 }).Write(bytes);
            if (cipher is not null)
            {
                BatchEnvelope.Seal(bytes[..length], cipher);
            }

            BatchHeader.StampCrc(bytes[..length]);
            RandomAccess.Write(Handle, cipher is null ? bytes[..BatchHeader.Size] : bytes[..length], position);
            return length;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(batch);
        }
    }

    // ---- reader side ----

    /// <summary>A batch boundary at or before <paramref name="offset"/> to start scanning headers from.</summary>
    public OffsetIndexEntry FindScanStart(long offset)
    {
        EnsureIndexes();
        return _offsetIndex!.FindFloor((int)Math.Min(offset - BaseOffset, int.MaxValue));
    }

    /// <summary>An offset at or before the first batch with a timestamp at or after <paramref name="timestamp"/>.</summary>
    public long FindTimestampScanStart(long timestamp)
    {
        EnsureIndexes();
        return BaseOffset + _timeIndex!.FindScanStart(timestamp);
    }

    // ---- lifetime ----

    /// <summary>Pins the segment for a read; false if it has already been closed.</summary>
    public bool TryAcquire()
    {
        var pins = Volatile.Read(ref _pins);
        while (pins > 0)
        {
            var seen = Interlocked.CompareExchange(ref _pins, pins + 1, pins);
            if (seen == pins)
            {
                return true;
            }

            pins = seen;
        }

        return false;
    }

    /// <summary>Unpins; the last one closes the file and deletes it if <see cref="MarkForDeletion"/> was called.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _pins) != 0)
        {
            return;
        }

        Handle.Dispose();
        if (_pathsToDelete is { } paths)
        {
            foreach (var path in paths)
            {
                TryDelete(path);
            }
        }
    }

    /// <summary>
    /// Takes the files out of the log at once, by renaming them to <c>*.deleted</c> (which works while readers still
    /// have them open), and deletes them once the log's pin and every reader's pin are gone. The rename is what makes
    /// retention and truncation crash-safe: a reopen never sees a segment that was already dropped.
    /// </summary>
    public void MarkForDeletion()
    {
        // The log file first: a crash in between leaves orphan indexes, which the next open removes.
        _pathsToDelete = [RenameForDeletion(LogPath), RenameForDeletion(IndexPath), RenameForDeletion(TimeIndexPath)];
    }

    private string RenameForDeletion(string path)
    {
        var renamed = path + DeletedSuffix;
        try
        {
            File.Move(path, renamed, overwrite: true);
            return renamed;
        }
        catch (FileNotFoundException)
        {
            return renamed; // index files of the active segment do not exist
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.DeleteFailed(ex, path);
            return path;
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.DeleteFailed(ex, path);
        }
    }

    // ---- indexes ----

    private void EnsureIndexes()
    {
        if (Volatile.Read(ref _timeIndex) is not null && Volatile.Read(ref _offsetIndex) is not null)
        {
            return;
        }

        lock (_indexLoadLock)
        {
            if (_timeIndex is not null && _offsetIndex is not null)
            {
                return;
            }

            var records = _writtenNextOffset - BaseOffset;
            var offsetIndex = OffsetIndex.TryLoad(IndexPath, BaseOffset, records, Size, out var problem);
            var timeIndex = offsetIndex is null ? null : TimeIndex.TryLoad(TimeIndexPath, BaseOffset, records, out problem);
            if (offsetIndex is null || timeIndex is null)
            {
                RebuildSealedIndexes(problem);
                return;
            }

            Volatile.Write(ref _offsetIndex, offsetIndex);
            Volatile.Write(ref _timeIndex, timeIndex);
        }
    }

    private bool TryReadNewestTimestamp(out long timestamp, out string? problem)
    {
        timestamp = NoTimestamp;
        var records = _writtenNextOffset - BaseOffset;
        if (!File.Exists(IndexPath))
        {
            problem = "offset index missing";
            return false;
        }

        var buffer = IndexFile.TryReadEntries(
            TimeIndexPath, IndexFileHeader.TimeIndexKind, TimeIndexEntry.Size, BaseOffset, out var bytes, out problem);
        if (buffer is null)
        {
            problem = "time index " + problem;
            return false;
        }

        try
        {
            if (bytes == 0)
            {
                problem = records == 0 ? null : "time index empty";
                return records == 0;
            }

            var last = TimeIndexEntry.Read(buffer.AsSpan(bytes - TimeIndexEntry.Size));
            if (last.RelativeOffset < 0 || last.RelativeOffset >= records)
            {
                problem = $"time index ends at relative offset {last.RelativeOffset}, outside {records} records";
                return false;
            }

            timestamp = last.Timestamp;
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void RebuildSealedIndexes(string? reason)
    {
        _logger.RebuildingIndexes(LogPath, reason ?? "unknown");
        var validEnd = BuildIndexesFromLog(Size, verifyCrc: false, out var problem);
        if (validEnd < Size)
        {
            // A sealed segment cannot be cut without leaving a gap in the offsets; serve what is intact and let
            // reads past the damage fail loudly.
            _logger.SealedSegmentCorrupt(LogPath, validEnd, problem ?? "unknown");
        }

        if (_writtenNextOffset > BaseOffset)
        {
            _timeIndex!.MaybeAppend(_writtenMaxTimestamp, (int)(_writtenNextOffset - 1 - BaseOffset));
        }

        _offsetIndex!.WriteTo(IndexPath, BaseOffset);
        _timeIndex!.WriteTo(TimeIndexPath, BaseOffset);
    }

    /// <summary>Scans the log from the start, filling fresh indexes; returns the end of the last good batch.</summary>
    private long BuildIndexesFromLog(long length, bool verifyCrc, out string? problem)
    {
        var offsetIndex = new OffsetIndex();
        var timeIndex = new TimeIndex();
        Volatile.Write(ref _offsetIndex, offsetIndex);
        Volatile.Write(ref _timeIndex, timeIndex);
        _bytesSinceIndexEntry = 0;
        var sealedNextOffset = _writtenNextOffset;
        _writtenNextOffset = BaseOffset;
        _writtenMaxTimestamp = NoTimestamp;

        using var scanner = new SegmentScanner(Handle, 0, length, BaseOffset, verifyCrc, SegmentScanner.RecoveryBufferSize);
        RecoveredLastEpoch = -1;
        while (scanner.TryReadNext(out var header, out var position))
        {
            OnBatchWritten(header.BaseOffset, header.RecordCount, position, header.BatchLength, header.MaxTimestamp);
            RecoveredLastEpoch = header.LeaderEpoch;
        }

        if (IsSealed)
        {
            // The neighbour's base offset is the authority on where this segment's offsets end.
            _writtenNextOffset = sealedNextOffset;
        }

        problem = scanner.Problem;
        return scanner.Position;
    }
}
