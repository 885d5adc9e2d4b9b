using System.Buffers;
using System.Threading.Channels;
using Sluice.Log.Internal;

namespace Sluice.Log;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Above this many bytes a group commit is cut: the first waiter's latency would grow with no gain in fsyncs per
    /// byte, and the next group starts right after anyway.
    /// </summary>
    private const int GroupCommitTargetBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Appends <paramref name="records"/> as one atomic batch and completes once it is durable per the flush policy
    /// (and visible to readers). Concurrent appends are totally ordered. The list must not change until the returned
    /// task completes.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is empty, has too many records or bytes, or a key over 65,535 bytes.</exception>
    /// <exception cref="IOException">The write failed (the outcome is unknown), or an earlier one did and the log must be reopened.</exception>
    public ValueTask<AppendResult> AppendAsync(IReadOnlyList<LogRecord> records, int leaderEpoch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var batchLength = BatchEncoder.Measure(records, _options);
        ThrowIfDisposed();
        if (_fault is { } fault)
        {
            throw FaultedException(fault);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<AppendResult>(cancellationToken);
        }

        var request = _requestPool.Rent();
        request.Initialize(records, leaderEpoch, batchLength, cancellationToken);
        return _queue.Writer.TryWrite(request) ? request.AsValueTask() : EnqueueWhenRoomAsync(request, cancellationToken);
    }

    /// <summary>
    /// Appends pre-encoded records (<see cref="RecordBody"/>, any number of chunks) as one atomic batch, like
    /// <see cref="AppendAsync"/> but with no per-record object: the bodies are validated, then copied into the batch
    /// as they are. The chunks must not change until the returned task completes.
    /// </summary>
    /// <exception cref="ArgumentException">A chunk is malformed, or the batch is empty or too large.</exception>
    public ValueTask<AppendResult> AppendEncodedAsync(IReadOnlyList<ReadOnlyMemory<byte>> chunks, int leaderEpoch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var batchLength = BatchEncoder.MeasureEncoded(chunks, _options, out var recordCount);
        ThrowIfDisposed();
        if (_fault is { } fault)
        {
            throw FaultedException(fault);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<AppendResult>(cancellationToken);
        }

        var request = _requestPool.Rent();
        request.InitializeEncoded(chunks, recordCount, leaderEpoch, batchLength, cancellationToken);
        return _queue.Writer.TryWrite(request) ? request.AsValueTask() : EnqueueWhenRoomAsync(request, cancellationToken);
    }

    private async ValueTask<AppendResult> EnqueueWhenRoomAsync(AppendRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            request.Recycle();
            throw new ObjectDisposedException(nameof(PartitionLog));
        }
        catch (OperationCanceledException)
        {
            request.Recycle();
            throw;
        }

        return await request.AsValueTask().ConfigureAwait(false);
    }

    private async Task RunWriterAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                // Synchronous positional writes: on Linux an "async" file write is a blocking call on a pool thread
                // anyway. The wait for durability is asynchronous when the store shares one syncfs across logs.
                await DrainQueueAsync(reader).ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
        }
    }

    // The group being collected, and the one written but waiting for its sync (a pipelined commit).
    private List<AppendRequest> _group = [];
    private readonly Stack<List<AppendRequest>> _spareGroups = new();

    /// <summary>
    /// Writes groups until the queue is empty. Commits are pipelined one deep: while group N waits for its sync, group
    /// N+1 is already encoded and written, so it joins the very next sync round instead of one after it. Groups
    /// become visible and complete strictly in order: a sync requested later never completes earlier.
    /// </summary>
    private async Task DrainQueueAsync(ChannelReader<AppendRequest> reader)
    {
        PendingCommit? pending = null, written = null;
        try
        {
            while (true)
            {
                long groupBytes = 0, groupRecords = 0;
                var active = _segments[^1];
                while (reader.TryPeek(out var next))
                {
                    if (_fault is { } fault)
                    {
                        reader.TryRead(out _);
                        next.Fail(FaultedException(fault));
                        continue;
                    }

                    if (next.CancellationToken.IsCancellationRequested)
                    {
                        // Not written yet, so cancelling is still honest; once in a group the append runs to the end.
                        reader.TryRead(out _);
                        next.Fail(new OperationCanceledException(next.CancellationToken));
                        continue;
                    }

                    if (_group.Count > 0 && groupBytes + next.BatchLength > GroupCommitTargetBytes)
                    {
                        break;
                    }

                    if (active.MustRollFor(groupBytes, next.BatchLength, groupRecords, next.RecordCount, _options.SegmentBytes))
                    {
                        if (_group.Count > 0)
                        {
                            break; // commit what fits first; the next round rolls
                        }

                        if (pending is not null)
                        {
                            // Sealing fsyncs and closes the segment the pending group lives in: finish it first.
                            await FinishAsync(pending).ConfigureAwait(false);
                            pending = null;
                        }

                        active = Roll();
                    }

                    reader.TryRead(out _);
                    _group.Add(next);
                    groupBytes += next.BatchLength;
                    groupRecords += next.RecordCount;
                }

                if (_group.Count == 0)
                {
                    if (pending is null)
                    {
                        return;
                    }

                    await FinishAsync(pending).ConfigureAwait(false);
                    pending = null;
                    continue; // appends that arrived during the sync
                }

                written = Write(active, (int)groupBytes);
                if (pending is not null)
                {
                    await FinishAsync(pending).ConfigureAwait(false);
                }

                (pending, written) = (written, null);
                if (pending.Durable.IsCompleted)
                {
                    // Interval policy or a per-file fsync: nothing to overlap with.
                    await FinishAsync(pending).ConfigureAwait(false);
                    pending = null;
                }
            }
        }
        catch (Exception ex)
        {
            SetFault(ex);
            var failure = FaultedException(ex);
            foreach (var commit in (ReadOnlySpan<PendingCommit?>)[pending, written])
            {
                if (commit is not null)
                {
                    FailAll(commit.Requests, failure);
                }
            }

            FailAll(_group, failure);
        }
    }

    private static void FailAll(List<AppendRequest> requests, Exception failure)
    {
        foreach (var request in requests)
        {
            request.Fail(failure);
        }

        requests.Clear();
    }

    /// <summary>
    /// Serialises the group into one buffer, writes it with one call and asks for it to be made durable. The group
    /// moves into the returned commit; <see cref="FinishAsync"/> publishes and completes it.
    /// </summary>
    private PendingCommit Write(Segment active, int groupBytes)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(groupBytes);
        try
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var timestamp = Math.Max(now, _timestampFloor);
            var offset = active.WrittenNextOffset;
            var used = 0;
            foreach (var request in _group)
            {
                var encoded = request.Encoded is { } chunks
                    ? BatchEncoder.TryEncode(buffer.AsSpan(used, request.BatchLength), offset, request.LeaderEpoch, timestamp, chunks, request.RecordCount)
                    : BatchEncoder.TryEncode(buffer.AsSpan(used, request.BatchLength), offset, request.LeaderEpoch, timestamp, request.Records);
                if (!encoded)
                {
                    continue; // failed in FinishAsync, without the rest of the group paying for it
                }

                request.BaseOffset = offset;
                request.TimestampMs = timestamp;
                request.Position = active.Size + used;
                offset += request.RecordCount;
                used += request.BatchLength;
            }

            var durable = Task.CompletedTask;
            if (used > 0)
            {
                active.Write(buffer.AsSpan(0, used));
                foreach (var request in _group)
                {
                    if (request.BaseOffset >= 0)
                    {
                        active.OnBatchWritten(request.BaseOffset, request.RecordCount, request.Position, request.BatchLength, timestamp);
                    }
                }

                _timestampFloor = timestamp;
                if (_options.FlushPolicy == FlushPolicy.EveryAppend)
                {
                    if (_sync is null)
                    {
                        active.Flush();
                    }
                    else
                    {
                        durable = _sync.SyncAsync(active.Handle);
                    }
                }
                else
                {
                    Volatile.Write(ref _dirty, 1);
                }
            }

            var commit = new PendingCommit(_group, active, used, active.Size, offset, active.WrittenMaxTimestamp, timestamp, durable);
            _group = _spareGroups.TryPop(out var spare) ? spare : []; // the commit owns the requests from here on
            return commit;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Waits until a written group is durable, then makes it visible to readers and completes its appends.</summary>
    private async Task FinishAsync(PendingCommit commit)
    {
        await commit.Durable.ConfigureAwait(false);
        var requests = commit.Requests;
        if (commit.Bytes > 0)
        {
            Interlocked.Add(ref _sizeInBytes, commit.Bytes);
            commit.Segment.Publish(commit.Size, commit.NextOffset, commit.MaxTimestamp);
            Volatile.Write(ref _lastTimestamp, commit.Timestamp);
            Volatile.Write(ref _logEndOffset, commit.NextOffset); // readers see the batches from here on
            WakeWaiters();
        }

        var appends = requests.Count;
        foreach (var request in requests)
        {
            // Read everything needed before completing: the request goes back to the pool once awaited.
            if (request.BaseOffset < 0)
            {
                request.Fail(new ArgumentException("The records of an append changed before it was written."));
            }
            else
            {
                request.Complete(new AppendResult(request.BaseOffset, request.RecordCount, request.TimestampMs, commit.NextOffset));
            }
        }

        requests.Clear(); // from here on a failure must not touch these requests again
        _spareGroups.Push(requests);
        _logger.GroupCommitted(Directory, appends, commit.Bytes, commit.NextOffset);
    }

    /// <summary>A group written to the active segment, visible and acknowledged once <see cref="Durable"/> completes.</summary>
    private sealed record PendingCommit(
        List<AppendRequest> Requests,
        Segment Segment,
        int Bytes,
        long Size,
        long NextOffset,
        long MaxTimestamp,
        long Timestamp,
        Task Durable);

    /// <summary>Seals the active segment and starts a new one at the end offset; caller holds the write lock.</summary>
    private Segment Roll()
    {
        try
        {
            var segments = _segments;
            var old = segments[^1];
            old.Seal();
            var next = Segment.Create(Directory, old.WrittenNextOffset, _options, _logger);
            DirectorySync.Flush(Directory, _logger);
            Volatile.Write(ref _segments, [.. segments, next]);
            _logger.SegmentRolled(Directory, next.BaseOffset);
            return next;
        }
        catch (Exception ex)
        {
            SetFault(ex);
            throw;
        }
    }

    private async Task RunFlusherAsync()
    {
        using var timer = new PeriodicTimer(_options.FlushInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_shutdown.Token).ConfigureAwait(false))
            {
                FlushIfDirty();
            }
        }
        catch (OperationCanceledException)
        {
            // disposal
        }
    }

    private void FlushIfDirty()
    {
        if (Interlocked.Exchange(ref _dirty, 0) == 0)
        {
            return;
        }

        // Only the active segment can be dirty: a roll fsyncs the segment it seals.
        var segments = Volatile.Read(ref _segments);
        if (segments.Length == 0 || !segments[^1].TryAcquire())
        {
            return;
        }

        try
        {
            segments[^1].Flush();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // After a failed fsync the page cache may have dropped the data (Linux): never pretend it is durable.
            SetFault(ex);
        }
        finally
        {
            segments[^1].Release();
        }
    }
}
