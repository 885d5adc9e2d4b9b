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
    /// <remarks>
    /// <paramref name="leaderEpoch"/> is stamped on the batch; the first batch of an epoch above <see cref="LatestEpoch"/>
    /// adds an entry to the leader epoch cache, and an epoch below it is refused (a deposed leader cannot write).
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// The batch is empty, has too many records or bytes, or a key over 65,535 bytes; or <paramref name="leaderEpoch"/>
    /// is negative or below <see cref="LatestEpoch"/> (checked again, in order, when the batch is written).
    /// </exception>
    /// <exception cref="IOException">The write failed (the outcome is unknown), or an earlier one did and the log must be reopened.</exception>
    public ValueTask<AppendResult> AppendAsync(IReadOnlyList<LogRecord> records, int leaderEpoch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var cipher = Encryption.EncryptWith;
        var batchLength = BatchEncoder.Measure(records, _options, cipher);
        ThrowIfDisposed();
        ThrowIfFenced(leaderEpoch);
        if (_fault is { } fault)
        {
            throw FaultedException(fault);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<AppendResult>(cancellationToken);
        }

        var request = _requestPool.Rent();
        request.Initialize(records, leaderEpoch, batchLength, cipher, cancellationToken);
        return _queue.Writer.TryWrite(request) ? request.AsValueTask() : EnqueueWhenRoomAsync(request, cancellationToken);
    }

    /// <summary>
    /// Appends pre-encoded records (<see cref="RecordBody"/>, any number of chunks) as one atomic batch, like
    /// <see cref="AppendAsync"/> but with no per-record object: the bodies are validated, then copied into the batch
    /// as they are. The chunks must not change until the returned task completes.
    /// </summary>
    /// <remarks>The batch header carries the "no producer" markers; leader epochs as in <see cref="AppendAsync"/>.</remarks>
    /// <exception cref="ArgumentException">
    /// A chunk is malformed, or the batch is empty or too large; or <paramref name="leaderEpoch"/> is negative or below
    /// <see cref="LatestEpoch"/>.
    /// </exception>
    /// <exception cref="IOException">The write failed (the outcome is unknown), or an earlier one did and the log must be reopened.</exception>
    public ValueTask<AppendResult> AppendEncodedAsync(IReadOnlyList<ReadOnlyMemory<byte>> chunks, int leaderEpoch, CancellationToken cancellationToken = default) =>
        AppendEncodedAsync(chunks, leaderEpoch, ProducerBatch.None, cancellationToken);

    /// <summary>
    /// Like <see cref="AppendEncodedAsync(IReadOnlyList{ReadOnlyMemory{byte}}, int, CancellationToken)"/>, stamping the
    /// idempotent producer's id, epoch and base sequence into the batch header as given. The log does not
    /// deduplicate; it stores the fields so that producer state can be rebuilt from <see cref="ReadBatchSummariesAsync"/>.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A chunk is malformed, or the batch is empty or too large; or <paramref name="leaderEpoch"/> is negative or below
    /// <see cref="LatestEpoch"/>.
    /// </exception>
    /// <exception cref="IOException">The write failed (the outcome is unknown), or an earlier one did and the log must be reopened.</exception>
    public ValueTask<AppendResult> AppendEncodedAsync(
        IReadOnlyList<ReadOnlyMemory<byte>> chunks, int leaderEpoch, ProducerBatch producer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var cipher = Encryption.EncryptWith;
        var batchLength = BatchEncoder.MeasureEncoded(chunks, _options, cipher, out var recordCount);
        ThrowIfDisposed();
        ThrowIfFenced(leaderEpoch);
        if (_fault is { } fault)
        {
            throw FaultedException(fault);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<AppendResult>(cancellationToken);
        }

        var request = _requestPool.Rent();
        request.InitializeEncoded(chunks, recordCount, leaderEpoch, producer, batchLength, cipher, cancellationToken);
        return _queue.Writer.TryWrite(request) ? request.AsValueTask() : EnqueueWhenRoomAsync(request, cancellationToken);
    }

    /// <summary>
    /// Appends whole batches replicated from the leader (as returned by its <see cref="ReadBatchesAsync"/>), byte for
    /// byte: offsets, leader epochs, timestamps and producer fields are kept. Every batch is checked before anything
    /// is written, and the batches go through the same writer, group commit and flush policy as leader appends, in
    /// order with them. Completes once durable per the flush policy and visible to readers, with the new
    /// <see cref="LogEndOffset"/>. Empty input completes at once with the current end. The memory must not change
    /// until the returned task completes.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// Nothing of the call was written because a batch is cut short, has an unknown magic, a bad CRC, malformed or no
    /// records, a negative epoch or one below an earlier batch's; or the batches are not contiguous; or the first does
    /// not start at the end of the log (a gap or an overlap); or its epoch is below <see cref="LatestEpoch"/>.
    /// </exception>
    /// <exception cref="IOException">The write failed (the outcome is unknown), or an earlier one did and the log must be reopened.</exception>
    public ValueTask<long> AppendBatchesAsync(ReadOnlyMemory<byte> batches, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (batches.IsEmpty)
        {
            return ValueTask.FromResult(LogEndOffset);
        }

        ReplicatedBatches.Validate(batches.Span, out _, out var recordCount, out var firstEpoch);
        if (_fault is { } fault)
        {
            throw FaultedException(fault);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<long>(cancellationToken);
        }

        var request = _requestPool.Rent();
        request.InitializeReplicated(batches, recordCount, firstEpoch, cancellationToken);
        return _queue.Writer.TryWrite(request) ? request.AsEndOffsetValueTask() : EnqueueReplicatedWhenRoomAsync(request, cancellationToken);
    }

    private void ThrowIfFenced(int leaderEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leaderEpoch);
        var latest = LatestEpoch;
        if (leaderEpoch < latest)
        {
            throw FencedException(leaderEpoch, latest);
        }
    }

    private static ArgumentException FencedException(int leaderEpoch, int latestEpoch) =>
        new($"Leader epoch {leaderEpoch} is below the log's latest epoch {latestEpoch}: a newer leader has written to it.", nameof(leaderEpoch));

    private async ValueTask<long> EnqueueReplicatedWhenRoomAsync(AppendRequest request, CancellationToken cancellationToken)
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

        return await request.AsEndOffsetValueTask().ConfigureAwait(false);
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
            var floor = _timestampFloor;
            var epoch = _writerEpoch;
            List<EpochEntry>? newEpochs = null;
            var offset = active.WrittenNextOffset;
            var sizeBefore = active.Size;
            var used = 0;
            foreach (var request in _group)
            {
                var destination = buffer.AsSpan(used, request.BatchLength);
                long timestamp;
                if (request.IsReplicated)
                {
                    if (!TryAcceptReplicated(request, offset, ref epoch, ref newEpochs, out timestamp))
                    {
                        continue;
                    }

                    request.Replicated.Span.CopyTo(destination);
                }
                else
                {
                    if (request.LeaderEpoch < epoch)
                    {
                        request.Rejection = FencedException(request.LeaderEpoch, epoch);
                        continue;
                    }

                    timestamp = Math.Max(now, floor);
                    var encoded = request.Encoded is { } chunks
                        ? BatchEncoder.TryEncode(destination, offset, request.LeaderEpoch, timestamp, chunks, request.RecordCount, request.Producer, request.Cipher)
                        : BatchEncoder.TryEncode(destination, offset, request.LeaderEpoch, timestamp, request.Records, request.Cipher);
                    if (!encoded)
                    {
                        continue; // failed in FinishAsync, without the rest of the group paying for it
                    }

                    if (request.LeaderEpoch > epoch)
                    {
                        (newEpochs ??= []).Add(new EpochEntry(request.LeaderEpoch, offset));
                        epoch = request.LeaderEpoch;
                    }
                }

                request.BaseOffset = offset;
                request.TimestampMs = timestamp;
                request.Position = sizeBefore + used;
                floor = Math.Max(floor, timestamp);
                offset += request.RecordCount;
                used += request.BatchLength;
            }

            var durable = Task.CompletedTask;
            if (used > 0)
            {
                active.Write(buffer.AsSpan(0, used));
                foreach (var request in _group)
                {
                    if (request.BaseOffset < 0)
                    {
                        continue;
                    }

                    if (request.IsReplicated)
                    {
                        IndexReplicated(active, buffer.AsSpan((int)(request.Position - sizeBefore), request.BatchLength), request.Position);
                    }
                    else
                    {
                        active.OnBatchWritten(request.BaseOffset, request.RecordCount, request.Position, request.BatchLength, request.TimestampMs);
                    }
                }

                _timestampFloor = floor;
                _writerEpoch = epoch;
                Volatile.Write(ref _writtenEndOffset, offset); // followers may fetch it from here on, ahead of the sync
                Written?.Invoke();
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

            var commit = new PendingCommit(
                _group, active, used, active.Size, offset, active.WrittenMaxTimestamp, floor, newEpochs?.ToArray(), durable);
            _group = _spareGroups.TryPop(out var spare) ? spare : []; // the commit owns the requests from here on
            return commit;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The checks of a replicated append that depend on where the log ends when it is written: the first batch must
    /// start there and must not go back in epochs. Collects the epochs it starts; false (and the request rejected,
    /// nothing written) otherwise.
    /// </summary>
    private static bool TryAcceptReplicated(AppendRequest request, long offset, ref int epoch, ref List<EpochEntry>? newEpochs, out long maxTimestamp)
    {
        maxTimestamp = Segment.NoTimestamp;
        var batches = request.Replicated.Span;
        var first = BatchHeader.Read(batches);
        if (first.BaseOffset != offset || first.LeaderEpoch < epoch)
        {
            request.Rejection = new InvalidDataException(first.BaseOffset != offset
                ? $"Replicated batches start at offset {first.BaseOffset} but the log ends at {offset}. Nothing of them was written."
                : $"Replicated batches are in leader epoch {first.LeaderEpoch}, below the log's latest epoch {epoch}. Nothing of them was written.");
            return false;
        }

        // Validated on the caller's thread already: only the headers are walked here.
        for (var at = 0; at < batches.Length;)
        {
            var header = BatchHeader.Read(batches[at..]);
            if (header.LeaderEpoch > epoch)
            {
                (newEpochs ??= []).Add(new EpochEntry(header.LeaderEpoch, header.BaseOffset));
                epoch = header.LeaderEpoch;
            }

            maxTimestamp = Math.Max(maxTimestamp, header.MaxTimestamp);
            at += header.BatchLength;
        }

        return true;
    }

    /// <summary>Enters each batch of a replicated append, written at <paramref name="position"/>, into the segment's indexes.</summary>
    private static void IndexReplicated(Segment active, ReadOnlySpan<byte> batches, long position)
    {
        for (var at = 0; at < batches.Length;)
        {
            var header = BatchHeader.Read(batches[at..]);
            active.OnBatchWritten(header.BaseOffset, header.RecordCount, position + at, header.BatchLength, header.MaxTimestamp);
            at += header.BatchLength;
        }
    }

    /// <summary>Waits until a written group is durable, then makes it visible to readers and completes its appends.</summary>
    private async Task FinishAsync(PendingCommit commit)
    {
        await commit.Durable.ConfigureAwait(false);
        var requests = commit.Requests;
        if (commit.Bytes > 0)
        {
            if (commit.NewEpochs is { } epochs)
            {
                // Before the end offset moves: a reader that sees the new end finds the epochs that wrote it.
                _epochCache.Append(epochs);
            }

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
            if (request.Rejection is { } rejection)
            {
                request.Fail(rejection);
            }
            else if (request.BaseOffset < 0)
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

    /// <summary>
    /// A group written to the active segment, visible and acknowledged once <see cref="Durable"/> completes.
    /// <see cref="NewEpochs"/> are the leader epochs it starts (null for almost every group).
    /// </summary>
    private sealed record PendingCommit(
        List<AppendRequest> Requests,
        Segment Segment,
        int Bytes,
        long Size,
        long NextOffset,
        long MaxTimestamp,
        long Timestamp,
        EpochEntry[]? NewEpochs,
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
