using Sluice.Log.Internal;

namespace Sluice.Log;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Deletes whole segments, oldest first, whose newest record is older than <see cref="LogOptions.RetentionTime"/>
    /// or that the log can lose while staying at least <see cref="LogOptions.RetentionBytes"/> large. An expired
    /// active segment is rolled first so its records go too. Advances <see cref="LogStartOffset"/>.
    /// </summary>
    /// <returns>The number of segments deleted.</returns>
    public async ValueTask<int> EnforceRetentionAsync(CancellationToken cancellationToken = default)
    {
        if (_options.RetentionTime is null && _options.RetentionBytes is null)
        {
            return 0;
        }

        Segment[] doomed;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            var segments = _segments;
            var drop = 0;
            if (_options.RetentionTime is { } retentionTime)
            {
                var cutoff = _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)retentionTime.TotalMilliseconds;
                while (drop < segments.Length && segments[drop].MaxTimestamp != Segment.NoTimestamp && segments[drop].MaxTimestamp < cutoff)
                {
                    drop++;
                }

                if (drop == segments.Length && _fault is null)
                {
                    Roll(); // everything expired, the active segment included
                    segments = _segments;
                }
            }

            if (_options.RetentionBytes is { } retentionBytes)
            {
                long remaining = 0;
                for (var i = drop; i < segments.Length; i++)
                {
                    remaining += segments[i].Size;
                }

                while (drop < segments.Length - 1 && remaining - segments[drop].Size >= retentionBytes)
                {
                    remaining -= segments[drop].Size;
                    drop++;
                }
            }

            drop = Math.Min(drop, segments.Length - 1); // the active segment always stays
            if (drop <= 0)
            {
                return 0;
            }

            doomed = segments[..drop];
            long removedBytes = 0;
            foreach (var segment in doomed)
            {
                removedBytes += segment.Size;
            }

            // Start offset first: a reader that sees the new start never needs the old segments, and one that saw the
            // old start either pins a segment before its files go or retries and gets OffsetOutOfRange.
            Volatile.Write(ref _logStartOffset, segments[drop].BaseOffset);
            Volatile.Write(ref _segments, segments[drop..]);
            Interlocked.Add(ref _sizeInBytes, -removedBytes);
            RaiseHighWatermarkToStart(segments[drop].BaseOffset); // nothing below the start exists to be uncommitted
            foreach (var segment in doomed)
            {
                _logger.DeletingSegment(segment.LogPath, "retention");
                segment.MarkForDeletion();
            }
        }
        finally
        {
            _writeLock.Release();
        }

        foreach (var segment in doomed)
        {
            segment.Release();
        }

        DirectorySync.Flush(Directory, _logger);
        return doomed.Length;
    }

    /// <summary>
    /// Drops every record at and above <paramref name="offset"/> (for replication: a follower discarding what a new
    /// leader does not have). A batch straddling the offset is shortened so the cut is exact. No-op at or past the end.
    /// Also removes the leader epoch entries starting at or after <paramref name="offset"/> and lowers
    /// <see cref="HighWatermark"/> to it if above (both checkpoints are rewritten before this completes).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is below <see cref="LogStartOffset"/>.</exception>
    public async ValueTask TruncateToAsync(long offset, CancellationToken cancellationToken = default)
    {
        Segment[] doomed;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            var start = LogStartOffset;
            var end = LogEndOffset;
            ArgumentOutOfRangeException.ThrowIfLessThan(offset, start);
            if (offset >= end)
            {
                return;
            }

            if (_fault is { } fault)
            {
                throw FaultedException(fault);
            }

            var segments = _segments;
            var keep = FindSegment(segments, offset);
            doomed = segments[(keep + 1)..];
            Interlocked.Increment(ref _truncations); // odd: readers that trip over moving data retry
            try
            {
                // Lower the visible end first so that no new read starts on data about to change.
                Volatile.Write(ref _writtenEndOffset, offset);
                Volatile.Write(ref _logEndOffset, offset);
                var kept = segments[..(keep + 1)];
                Volatile.Write(ref _segments, kept);
                long removedBytes = 0;

                // Later segments leave the directory before the kept one is cut, newest first, so that a crash
                // part-way leaves a log that is merely longer than asked, never one with a hole in its offsets.
                for (var i = doomed.Length - 1; i >= 0; i--)
                {
                    _logger.DeletingSegment(doomed[i].LogPath, "truncation");
                    doomed[i].MarkForDeletion();
                    removedBytes += doomed[i].Size;
                }

                DirectorySync.Flush(Directory, _logger);
                removedBytes += kept[^1].TruncateTo(offset, Encryption);
                Interlocked.Add(ref _sizeInBytes, -removedBytes);
                Volatile.Write(ref _lastTimestamp, NewestTimestamp(kept));
                _epochCache.TruncateFrom(offset);
                _writerEpoch = _epochCache.LatestEpoch;
                if (LowerHighWatermarkTo(offset))
                {
                    PersistHighWatermark(force: true);
                }
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

            _logger.LogTruncated(Directory, offset, end);
        }
        finally
        {
            _writeLock.Release();
        }

        foreach (var segment in doomed)
        {
            segment.Release();
        }
    }
}
