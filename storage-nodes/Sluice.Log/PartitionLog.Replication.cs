using System.Buffers;
using Sluice.Log.Internal;

namespace Sluice.Log;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Reads whole batches exactly as stored (header and records, byte for byte) for a follower, starting with the
    /// batch whose base offset is <paramref name="offset"/>: as many whole batches as fit in
    /// <paramref name="maxBytes"/>, but always the first one, however large. Only visible (published) batches are
    /// returned, or with <paramref name="includeUnsynced"/> every batch written, durable or not (up to
    /// <see cref="WrittenEndOffset"/>). <paramref name="offset"/> at that end gives <see cref="RawBatches.Empty"/>.
    /// Dispose the result: its buffer is pooled.
    /// </summary>
    /// <exception cref="OffsetOutOfRangeException">The offset is below <see cref="LogStartOffset"/> or above that end.</exception>
    /// <exception cref="ArgumentException"><paramref name="offset"/> lies inside a batch rather than at its start.</exception>
    /// <exception cref="InvalidDataException">The data on disk is corrupt.</exception>
    public ValueTask<RawBatches> ReadBatchesAsync(long offset, int maxBytes, bool includeUnsynced = false, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RawBatches>(cancellationToken);
        }

        for (var attempt = 1; ; attempt++)
        {
            ThrowIfDisposed();
            var truncations = Volatile.Read(ref _truncations);
            var end = includeUnsynced ? WrittenEndOffset : LogEndOffset;
            var start = LogStartOffset;
            if (offset < start || offset > end)
            {
                throw new OffsetOutOfRangeException(offset, start, end);
            }

            if (offset == end)
            {
                return ValueTask.FromResult(RawBatches.Empty(offset));
            }

            var batches = TryReadBatches(Volatile.Read(ref _segments), offset, end, maxBytes, includeUnsynced, truncations, attempt);
            if (batches is not null)
            {
                return ValueTask.FromResult(batches);
            }

            ThrowIfTooManyAttempts(attempt);
        }
    }

    /// <summary>
    /// Reads the headers of the visible batches from the one containing <paramref name="fromOffset"/> (or from
    /// <see cref="LogStartOffset"/>, if that is later) on, at most <paramref name="maxBatches"/> of them; no record
    /// bodies are read. For rebuilding idempotent producer state after a leader change. Empty at or past the end.
    /// </summary>
    /// <exception cref="InvalidDataException">The data on disk is corrupt.</exception>
    public ValueTask<IReadOnlyList<BatchSummary>> ReadBatchSummariesAsync(long fromOffset, int maxBatches, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatches);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyList<BatchSummary>>(cancellationToken);
        }

        for (var attempt = 1; ; attempt++)
        {
            ThrowIfDisposed();
            var truncations = Volatile.Read(ref _truncations);
            var end = LogEndOffset;
            var from = Math.Max(fromOffset, LogStartOffset);
            if (from >= end)
            {
                return ValueTask.FromResult<IReadOnlyList<BatchSummary>>([]);
            }

            var summaries = TryReadSummaries(Volatile.Read(ref _segments), from, end, maxBatches, truncations, attempt);
            if (summaries is not null)
            {
                return ValueTask.FromResult<IReadOnlyList<BatchSummary>>(summaries);
            }

            ThrowIfTooManyAttempts(attempt);
        }
    }

    /// <summary>
    /// Deletes every segment and starts the log over, empty, at <paramref name="startOffset"/>:
    /// <see cref="LogStartOffset"/>, <see cref="LogEndOffset"/> and <see cref="HighWatermark"/> all become
    /// <paramref name="startOffset"/> and the leader epoch cache is cleared. For a follower that fell behind its
    /// leader's retention. Waits for appends in progress; appends queued behind it land in the new log. Durable
    /// (files renamed away, new segment created, directory fsynced) when it completes; a crash part-way leaves an
    /// empty log, at offset 0 at worst, which a follower simply refills or resets again.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="startOffset"/> is negative.</exception>
    /// <exception cref="IOException">A file operation failed; the log accepts no changes until it is reopened.</exception>
    public async ValueTask ResetAsync(long startOffset, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startOffset);
        Segment[] doomed;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            if (_fault is { } fault)
            {
                throw FaultedException(fault);
            }

            doomed = _segments;
            var previousStart = LogStartOffset;
            var previousEnd = LogEndOffset;
            Interlocked.Increment(ref _truncations); // odd: readers that trip over vanishing data retry
            try
            {
                // Old files leave first, so the new segment's name is free even when it reuses a base offset.
                foreach (var segment in doomed)
                {
                    _logger.DeletingSegment(segment.LogPath, "reset");
                    segment.MarkForDeletion();
                }

                DirectorySync.Flush(Directory, _logger);
                var fresh = Segment.Create(Directory, startOffset, _options, _logger);
                DirectorySync.Flush(Directory, _logger);

                Volatile.Write(ref _segments, [fresh]);
                Volatile.Write(ref _logStartOffset, startOffset);
                Volatile.Write(ref _logEndOffset, startOffset);
                Volatile.Write(ref _writtenEndOffset, startOffset);
                Interlocked.Exchange(ref _sizeInBytes, 0);
                Volatile.Write(ref _lastTimestamp, Segment.NoTimestamp);
                _epochCache.Clear();
                _writerEpoch = _epochCache.LatestEpoch;
                Interlocked.Exchange(ref _highWatermark, startOffset);
                PersistHighWatermark(force: true);
            }
            catch (Exception ex)
            {
                SetFault(ex);
                throw;
            }
            finally
            {
                Interlocked.Increment(ref _truncations);
            }

            _logger.LogReset(Directory, startOffset, previousStart, previousEnd);
        }
        finally
        {
            _writeLock.Release();
        }

        foreach (var segment in doomed)
        {
            segment.Release();
        }

        WakeWaiters();
        WakeHighWatermarkWaiters();
    }

    /// <summary>One attempt at <see cref="ReadBatchesAsync"/>; null when it raced with retention or truncation.</summary>
    private RawBatches? TryReadBatches(Segment[] segments, long offset, long end, int maxBytes, bool includeUnsynced, long truncations, int attempt)
    {
        var index = FindSegment(segments, offset);
        if (index < 0)
        {
            return null;
        }

        var pinned = new List<Segment>(2);
        var plan = new List<ReadRange>(2);
        byte[]? buffer = null;
        try
        {
            long cursor = offset, total = 0;
            var count = 0;
            var full = false;
            for (; index < segments.Length && cursor < end && !full; index++)
            {
                var segment = segments[index];
                if (!segment.TryAcquire())
                {
                    return null;
                }

                pinned.Add(segment);
                var from = segment.FindScanStart(cursor);
                long rangeStart = -1, rangeEnd = -1;
                using (var scanner = new SegmentScanner(
                    segment.Handle, from.Position, includeUnsynced ? segment.WrittenSize : segment.PublishedSize, segment.BaseOffset + from.RelativeOffset, verifyCrc: false,
                    SegmentScanner.LookupBufferSize))
                {
                    while (scanner.TryReadNext(out var header, out var position))
                    {
                        if (header.NextOffset <= cursor)
                        {
                            continue;
                        }

                        if (header.BaseOffset != cursor)
                        {
                            if (count > 0 || Volatile.Read(ref _truncations) != truncations)
                            {
                                // Past the first batch the offsets are contiguous unless the log moved or is damaged.
                                ThrowUnlessRaced(truncations, attempt, $"{segment.LogPath}: batch at {header.BaseOffset} where {cursor} was expected");
                                return null;
                            }

                            throw new ArgumentException(
                                $"Offset {offset} is inside the batch [{header.BaseOffset}, {header.NextOffset}), not at a batch boundary.", nameof(offset));
                        }

                        if (header.BaseOffset >= end
                            || (count > 0 && (total + header.BatchLength > maxBytes || total + header.BatchLength > Array.MaxLength)))
                        {
                            full = true;
                            break;
                        }

                        if (rangeStart < 0)
                        {
                            rangeStart = position;
                        }

                        rangeEnd = position + header.BatchLength;
                        total += header.BatchLength;
                        count++;
                        cursor = header.NextOffset;
                        if (total >= maxBytes)
                        {
                            full = true;
                            break;
                        }
                    }

                    if (!full && scanner.Problem is { } problem)
                    {
                        ThrowUnlessRaced(truncations, attempt, $"{segment.LogPath} at byte {scanner.Position}: {problem}");
                        return null;
                    }
                }

                if (rangeStart >= 0)
                {
                    plan.Add(new ReadRange(segment, rangeStart, (int)(rangeEnd - rangeStart)));
                }
            }

            if (count == 0)
            {
                ThrowUnlessRaced(truncations, attempt, $"no batch found at offset {offset}");
                return null;
            }

            buffer = ArrayPool<byte>.Shared.Rent((int)total);
            var at = 0;
            foreach (var range in plan)
            {
                if (IndexFile.ReadFully(range.Segment.Handle, buffer.AsSpan(at, range.Length), range.Position) != range.Length)
                {
                    ThrowUnlessRaced(truncations, attempt, $"{range.Segment.LogPath} ended early");
                    return null;
                }

                at += range.Length;
            }

            // The headers planned from may have been rewritten since (a truncation shortening a batch): check the framing
            // of what was actually read. Bodies and CRCs are the follower's to check.
            if (CheckFraming(buffer.AsSpan(0, at), offset, cursor, count) is { } framingProblem)
            {
                ThrowUnlessRaced(truncations, attempt, framingProblem);
                return null;
            }

            var result = RawBatches.FromPooled(buffer, at, offset, cursor, count);
            buffer = null;
            return result;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            foreach (var segment in pinned)
            {
                segment.Release();
            }
        }
    }

    private static string? CheckFraming(ReadOnlySpan<byte> bytes, long offset, long nextOffset, int count)
    {
        var expected = offset;
        var at = 0;
        for (var i = 0; i < count; i++)
        {
            if (bytes.Length - at < BatchHeader.Size)
            {
                return $"batch {i} of a raw read is cut short";
            }

            var header = BatchHeader.Read(bytes[at..]);
            if (header.Validate(expected, bytes.Length - at) is { } problem)
            {
                return $"batch {i} of a raw read: {problem}";
            }

            expected = header.NextOffset;
            at += header.BatchLength;
        }

        return at == bytes.Length && expected == nextOffset ? null : $"a raw read ends at offset {expected}, not {nextOffset}";
    }

    /// <summary>One attempt at <see cref="ReadBatchSummariesAsync"/>; null when it raced with retention or truncation.</summary>
    private List<BatchSummary>? TryReadSummaries(Segment[] segments, long from, long end, int maxBatches, long truncations, int attempt)
    {
        var index = FindSegment(segments, from);
        if (index < 0)
        {
            return null;
        }

        var summaries = new List<BatchSummary>(Math.Min(maxBatches, InitialSummaryCapacity));
        var cursor = from;
        for (; index < segments.Length && cursor < end && summaries.Count < maxBatches; index++)
        {
            var segment = segments[index];
            if (!segment.TryAcquire())
            {
                return null;
            }

            try
            {
                var scanStart = segment.FindScanStart(cursor);
                using var scanner = new SegmentScanner(
                    segment.Handle, scanStart.Position, segment.PublishedSize, segment.BaseOffset + scanStart.RelativeOffset, verifyCrc: false,
                    SegmentScanner.LookupBufferSize);
                var done = false;
                while (scanner.TryReadNext(out var header, out _))
                {
                    if (header.NextOffset <= cursor)
                    {
                        continue;
                    }

                    if (header.BaseOffset >= end)
                    {
                        done = true;
                        break;
                    }

                    summaries.Add(new BatchSummary(
                        header.BaseOffset, header.RecordCount, header.LeaderEpoch, header.ProducerId, header.ProducerEpoch, header.BaseSequence,
                        header.MaxTimestamp));
                    cursor = header.NextOffset;
                    if (summaries.Count >= maxBatches)
                    {
                        done = true;
                        break;
                    }
                }

                if (!done && scanner.Problem is { } problem)
                {
                    ThrowUnlessRaced(truncations, attempt, $"{segment.LogPath} at byte {scanner.Position}: {problem}");
                    return null;
                }
            }
            finally
            {
                segment.Release();
            }
        }

        if (summaries.Count == 0)
        {
            ThrowUnlessRaced(truncations, attempt, $"no batch found at offset {from}");
            return null;
        }

        return summaries;
    }

    private const int InitialSummaryCapacity = 256;
}
