using Sluice.Log.Internal;

namespace Sluice.Log;

public sealed partial class PartitionLog
{
    /// <summary>
    /// How often a read starts over after losing a race with retention or truncation before giving up; each retry
    /// means the log changed under it, so more than a few in a row means something is wrong.
    /// </summary>
    private const int MaxReadAttempts = 16;

    /// <summary>
    /// Reads whole records from <paramref name="offset"/> on, continuing across segments, until
    /// <paramref name="maxRecords"/> or <paramref name="maxBytes"/> (counted as each record's key, value and 6 bytes
    /// of framing) is reached; at least one record is returned if any is visible, however large.
    /// <paramref name="offset"/> == <see cref="LogEndOffset"/> gives an empty result.
    /// </summary>
    /// <exception cref="OffsetOutOfRangeException">The offset is below <see cref="LogStartOffset"/> or above <see cref="LogEndOffset"/>.</exception>
    /// <exception cref="InvalidDataException">The data on disk is corrupt.</exception>
    public ValueTask<ReadResult> ReadAsync(long offset, int maxRecords, int maxBytes, CancellationToken cancellationToken = default) =>
        ReadAsync(offset, maxRecords, maxBytes, long.MaxValue, cancellationToken);

    /// <summary>
    /// Like <see cref="ReadAsync(long, int, int, CancellationToken)"/>, but returns only records below
    /// <paramref name="endOffset"/> (typically <see cref="HighWatermark"/>, so consumers see committed records only).
    /// <paramref name="offset"/> at or past <paramref name="endOffset"/> gives no records and
    /// <see cref="ReadResult.NextOffset"/> == <paramref name="offset"/>. <see cref="ReadResult.LogEndOffset"/> is still
    /// the log's end.
    /// </summary>
    /// <exception cref="OffsetOutOfRangeException">The offset is below <see cref="LogStartOffset"/> or above <see cref="LogEndOffset"/>.</exception>
    /// <exception cref="InvalidDataException">The data on disk is corrupt.</exception>
    public ValueTask<ReadResult> ReadAsync(long offset, int maxRecords, int maxBytes, long endOffset, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecords);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ReadResult>(cancellationToken);
        }

        // Segment reads are positional reads that the page cache mostly serves: synchronous is the fast path.
        for (var attempt = 1; ; attempt++)
        {
            ThrowIfDisposed();
            var truncations = Volatile.Read(ref _truncations);
            var end = LogEndOffset; // before anything else: every segment size read later covers at least this far
            var start = LogStartOffset;
            var lastTimestamp = LastTimestampMs;
            if (offset < start || offset > end)
            {
                throw new OffsetOutOfRangeException(offset, start, end);
            }

            var limit = Math.Min(end, endOffset);
            if (offset >= limit)
            {
                return ValueTask.FromResult(new ReadResult([], offset, start, end, lastTimestamp));
            }

            var records = TryRead(Volatile.Read(ref _segments), offset, limit, maxRecords, maxBytes, truncations, attempt);
            if (records is not null)
            {
                return ValueTask.FromResult(new ReadResult(records, records[^1].Offset + 1, start, end, lastTimestamp));
            }

            ThrowIfTooManyAttempts(attempt);
        }
    }

    /// <summary>
    /// Finds the first offset whose timestamp is at or after <paramref name="timestampMs"/>, or
    /// <see cref="LogEndOffset"/> if there is none, using the segments' newest timestamps and the time indexes.
    /// </summary>
    public ValueTask<long> FindOffsetByTimestampAsync(long timestampMs, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<long>(cancellationToken);
        }

        for (var attempt = 1; ; attempt++)
        {
            ThrowIfDisposed();
            var truncations = Volatile.Read(ref _truncations);
            var end = LogEndOffset;
            var found = TryFindOffsetByTimestamp(Volatile.Read(ref _segments), timestampMs, end, truncations, attempt);
            if (found >= 0)
            {
                return ValueTask.FromResult(found);
            }

            ThrowIfTooManyAttempts(attempt);
        }
    }

    /// <summary>
    /// Completes with true as soon as <see cref="LogEndOffset"/> is above <paramref name="offset"/>, or with false
    /// when <paramref name="timeout"/> passes first or the log is closed. For long-poll reads.
    /// </summary>
    public Task<bool> WaitForDataAsync(long offset, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (LogEndOffset > offset)
        {
            return Task.FromResult(true);
        }

        if (timeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        }

        return WaitForDataSlowAsync(offset, timeout, cancellationToken);
    }

    private async Task<bool> WaitForDataSlowAsync(long offset, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            // Register before re-checking: a publish between the check and the wait would otherwise be missed.
            var signal = Volatile.Read(ref _dataSignal);
            if (signal is null)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                signal = Interlocked.CompareExchange(ref _dataSignal, created, null) ?? created;
            }

            if (LogEndOffset > offset)
            {
                return true;
            }

            if (IsDisposed)
            {
                return false;
            }

            var remaining = timeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : timeout - _time.GetElapsedTime(started);
            if (remaining != Timeout.InfiniteTimeSpan && remaining <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await signal.Task.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return LogEndOffset > offset;
            }
        }
    }

    /// <summary>Wakes every <see cref="WaitForDataAsync"/> caller; they re-check the end offset themselves.</summary>
    private void WakeWaiters() => Interlocked.Exchange(ref _dataSignal, null)?.TrySetResult();

    /// <summary>One attempt at a read; null when it raced with retention or truncation and must start over.</summary>
    private List<StoredRecord>? TryRead(
        Segment[] segments, long offset, long end, int maxRecords, int maxBytes, long truncations, int attempt)
    {
        var pinned = new List<Segment>(2);
        var plan = new List<ReadRange>(2);
        try
        {
            // Phase 1: from batch headers only, work out which bytes are needed, so that one buffer of the right size
            // can be read. Byte budgets count whole batches here and are applied per record in phase 3.
            if (!TryPlanRead(segments, offset, end, maxRecords, maxBytes, pinned, plan, truncations, attempt, out var totalBytes))
            {
                return null;
            }

            // Phase 2: one heap buffer for the whole result (the records escape to responses, so it is not pooled).
            var buffer = GC.AllocateUninitializedArray<byte>((int)totalBytes);
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

            // Phase 3: check and slice.
            var records = new List<StoredRecord>((int)Math.Min(Math.Min(maxRecords, end - offset), InitialRecordCapacity));
            var problem = ParseRecords(buffer, offset, end, maxRecords, maxBytes, Encryption, records);
            if (problem is not null || records.Count == 0)
            {
                ThrowUnlessRaced(truncations, attempt, problem ?? $"no record found at offset {offset}");
                return null;
            }

            return records;
        }
        finally
        {
            foreach (var segment in pinned)
            {
                segment.Release();
            }
        }
    }

    private const int InitialRecordCapacity = 1024;

    private bool TryPlanRead(
        Segment[] segments, long offset, long end, int maxRecords, int maxBytes, List<Segment> pinned, List<ReadRange> plan,
        long truncations, int attempt, out long totalBytes)
    {
        totalBytes = 0;
        var index = FindSegment(segments, offset);
        if (index < 0)
        {
            return false; // retention moved the start past the offset since it was checked
        }

        long cursor = offset, records = 0, bodyBytes = 0;
        for (; index < segments.Length && cursor < end; index++)
        {
            var segment = segments[index];
            if (!segment.TryAcquire())
            {
                return false; // deleted by retention or closed; the retry sees the new state
            }

            pinned.Add(segment);
            var from = segment.FindScanStart(cursor);
            long rangeStart = -1, rangeEnd = -1;
            var full = false;
            using (var scanner = new SegmentScanner(
                segment.Handle, from.Position, segment.PublishedSize, segment.BaseOffset + from.RelativeOffset, verifyCrc: false,
                SegmentScanner.LookupBufferSize))
            {
                while (scanner.TryReadNext(out var header, out var position))
                {
                    if (header.NextOffset <= cursor)
                    {
                        continue;
                    }

                    if (header.BaseOffset >= end || (totalBytes > 0 && totalBytes + header.BatchLength > Array.MaxLength))
                    {
                        full = true;
                        break;
                    }

                    if (rangeStart < 0)
                    {
                        rangeStart = position;
                    }

                    rangeEnd = position + header.BatchLength;
                    totalBytes += header.BatchLength;
                    records += header.NextOffset - Math.Max(header.BaseOffset, cursor);
                    bodyBytes += header.BatchLength - BatchHeader.Size;
                    cursor = header.NextOffset;
                    if (records >= maxRecords || bodyBytes >= maxBytes)
                    {
                        full = true;
                        break;
                    }
                }

                if (!full && scanner.Problem is { } problem)
                {
                    ThrowUnlessRaced(truncations, attempt, $"{segment.LogPath} at byte {scanner.Position}: {problem}");
                    return false;
                }
            }

            if (rangeStart >= 0)
            {
                plan.Add(new ReadRange(segment, rangeStart, (int)(rangeEnd - rangeStart)));
            }

            if (full)
            {
                break;
            }
        }

        return plan.Count > 0;
    }

    /// <summary>
    /// Checks each batch (framing, CRC, record bounds), opens an encrypted one in place (authenticating it), and slices
    /// the wanted records; returns a problem or null.
    /// </summary>
    private static string? ParseRecords(
        byte[] buffer, long offset, long end, int maxRecords, int maxBytes, LogEncryption encryption, List<StoredRecord> records)
    {
        var memory = buffer.AsMemory();
        var span = buffer.AsSpan();
        var at = 0;
        long recordBytes = 0;
        while (at < span.Length)
        {
            if (span.Length - at < BatchHeader.Size)
            {
                return "incomplete batch header";
            }

            var header = BatchHeader.Read(span[at..]);
            if (header.Magic != BatchHeader.CurrentMagic
                || (header.Attributes & ~BatchHeader.KnownAttributes) != 0
                || header.BatchLength < header.RecordsStart
                || header.BatchLength > span.Length - at)
            {
                return $"bad batch header at offset {header.BaseOffset}";
            }

            var batch = span.Slice(at, header.BatchLength);
            if (!BatchHeader.HasValidCrc(batch))
            {
                return $"CRC mismatch in the batch at offset {header.BaseOffset}";
            }

            if (header.IsEncrypted && BatchEnvelope.TryOpen(batch, header.BaseOffset, encryption) is { } sealedProblem)
            {
                return sealedProblem;
            }

            var position = header.RecordsStart;
            var recordOffset = header.BaseOffset;
            for (var i = 0; i < header.RecordCount; i++, recordOffset++)
            {
                if (!RecordHeader.TryRead(batch[position..], out var record))
                {
                    return $"bad record {i} in the batch at offset {header.BaseOffset}";
                }

                if (recordOffset >= offset && recordOffset < end)
                {
                    if (records.Count >= maxRecords || (records.Count > 0 && recordBytes + record.EncodedLength > maxBytes))
                    {
                        return null;
                    }

                    var keyAt = at + position + RecordHeader.Size;
                    records.Add(new StoredRecord(
                        recordOffset,
                        header.MaxTimestamp,
                        header.LeaderEpoch,
                        memory.Slice(keyAt, record.KeyLength),
                        memory.Slice(keyAt + record.KeyLength, record.ValueLength)));
                    recordBytes += record.EncodedLength;
                }

                position += record.EncodedLength;
            }

            at += header.BatchLength;
        }

        return null;
    }

    private long TryFindOffsetByTimestamp(Segment[] segments, long timestampMs, long end, long truncations, int attempt)
    {
        // Timestamps never decrease along the log, so the first segment whose newest record is recent enough holds
        // the answer. A linear walk: logs have thousands of segments at most, and this is not a hot path.
        foreach (var segment in segments)
        {
            var segmentMax = segment.MaxTimestamp;
            if (segmentMax == Segment.NoTimestamp || segmentMax < timestampMs)
            {
                continue;
            }

            if (!segment.TryAcquire())
            {
                return -1;
            }

            try
            {
                var from = segment.FindScanStart(segment.FindTimestampScanStart(timestampMs));
                using var scanner = new SegmentScanner(
                    segment.Handle, from.Position, segment.PublishedSize, segment.BaseOffset + from.RelativeOffset, verifyCrc: false,
                    SegmentScanner.LookupBufferSize);
                while (scanner.TryReadNext(out var header, out _))
                {
                    if (header.BaseOffset >= end)
                    {
                        return end;
                    }

                    if (header.MaxTimestamp >= timestampMs)
                    {
                        return Math.Max(header.BaseOffset, LogStartOffset);
                    }
                }

                if (scanner.Problem is { } problem)
                {
                    ThrowUnlessRaced(truncations, attempt, $"{segment.LogPath} at byte {scanner.Position}: {problem}");
                    return -1;
                }
            }
            finally
            {
                segment.Release();
            }
        }

        return end;
    }

    /// <summary>
    /// Decides what a failed attempt means: if a truncation ran meanwhile (or is running) the data moved and the
    /// caller retries; otherwise the bytes on disk are bad and the caller must hear about it.
    /// </summary>
    private void ThrowUnlessRaced(long truncations, int attempt, string problem)
    {
        var now = Volatile.Read(ref _truncations);
        if ((now != truncations || (now & 1) != 0) && attempt < MaxReadAttempts)
        {
            return;
        }

        throw new InvalidDataException($"Corrupt log data in {Directory}: {problem}.");
    }

    private void ThrowIfTooManyAttempts(int attempt)
    {
        if (attempt >= MaxReadAttempts)
        {
            throw new IOException($"The log at {Directory} kept changing during {attempt} attempts to read it.");
        }
    }
}
