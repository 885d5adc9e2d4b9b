using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Sluice.Log.Internal;

namespace Sluice.Log;

public sealed partial class PartitionLog
{
    /// <summary>The high watermark's checkpoint in the log directory: a <see cref="CheckpointFile"/> holding one i64.</summary>
    private const string HighWatermarkFileName = "high-watermark";

    /// <summary>
    /// The checkpoint is rewritten at most this often while the high watermark moves: it only spares a restarted
    /// replica some catching up, so an fsync per advance would be waste.
    /// </summary>
    private static readonly TimeSpan HighWatermarkPersistInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _highWatermarkFileLock = new();
    private long _highWatermark;
    private long _persistedHighWatermark;     // under _highWatermarkFileLock
    private long _highWatermarkPersistedAt;   // TimeProvider timestamp of the last background persist
    private int _highWatermarkPersisting;     // 1 while a background persist is scheduled or running
    private bool _highWatermarkClosed;        // under _highWatermarkFileLock: the log is closed, write no more
    private Task _highWatermarkPersist = Task.CompletedTask;
    private TaskCompletionSource? _highWatermarkSignal;

    /// <summary>
    /// The committed offset: records below it are on enough replicas that no leader change loses them, so they may be
    /// served to consumers (see the <c>endOffset</c> overload of <c>ReadAsync</c>). Always within
    /// [<see cref="LogStartOffset"/>, <see cref="LogEndOffset"/>] up to the moment of a concurrent truncation.
    /// Moves up with <see cref="AdvanceHighWatermark"/>, down only with <see cref="TruncateToAsync"/> and
    /// <see cref="ResetAsync"/>, and up to <see cref="LogStartOffset"/> when retention passes it.
    /// </summary>
    /// <remarks>
    /// On open it is the value of the <c>high-watermark</c> checkpoint in the log directory, clamped to the log's
    /// range (<see cref="LogStartOffset"/> when there is none). The checkpoint is written lazily, at most about once
    /// a second while the value moves and on <see cref="DisposeAsync"/>, so after a crash it can be behind: that only
    /// makes the restarted replica's high watermark lower than it was, which is safe (it learns the current one from
    /// its leader, or advances it again as leader). Truncation and reset lower it, and those write the checkpoint at
    /// once, so it is never ahead of data that was replaced.
    /// </remarks>
    public long HighWatermark => Volatile.Read(ref _highWatermark);

    /// <summary>
    /// Raises <see cref="HighWatermark"/> to <paramref name="offset"/>, clamped to <see cref="LogEndOffset"/>; a lower
    /// value is ignored. Wakes <see cref="WaitForHighWatermarkAsync"/> callers. Cheap: the checkpoint is written in
    /// the background at most about once a second.
    /// </summary>
    public void AdvanceHighWatermark(long offset)
    {
        var truncations = Volatile.Read(ref _truncations);
        var target = Math.Min(offset, LogEndOffset);
        var current = Volatile.Read(ref _highWatermark);
        while (target > current)
        {
            var seen = Interlocked.CompareExchange(ref _highWatermark, target, current);
            if (seen != current)
            {
                current = seen;
                continue;
            }

            if (Volatile.Read(ref _truncations) != truncations || (truncations & 1) != 0)
            {
                // A truncation or reset lowered the end meanwhile and may have clamped before this raise landed.
                LowerHighWatermarkTo(LogEndOffset);
            }

            WakeHighWatermarkWaiters();
            MaybePersistHighWatermark();
            return;
        }
    }

    /// <summary>
    /// Completes with true as soon as <see cref="HighWatermark"/> is at least <paramref name="atLeast"/>, or with false
    /// when <paramref name="timeout"/> passes first or the log is closed. Completes synchronously when already true.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<bool> WaitForHighWatermarkAsync(long atLeast, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (HighWatermark >= atLeast)
        {
            return Task.FromResult(true);
        }

        if (timeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        }

        return WaitForHighWatermarkSlowAsync(atLeast, timeout, cancellationToken);
    }

    private async Task<bool> WaitForHighWatermarkSlowAsync(long atLeast, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            // Register before re-checking: an advance between the check and the wait would otherwise be missed.
            var signal = Volatile.Read(ref _highWatermarkSignal);
            if (signal is null)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                signal = Interlocked.CompareExchange(ref _highWatermarkSignal, created, null) ?? created;
            }

            if (HighWatermark >= atLeast)
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
                return HighWatermark >= atLeast;
            }
        }
    }

    private void WakeHighWatermarkWaiters() => Interlocked.Exchange(ref _highWatermarkSignal, null)?.TrySetResult();

    /// <summary>Clamps the high watermark down to <paramref name="offset"/>; true if it was above.</summary>
    private bool LowerHighWatermarkTo(long offset)
    {
        var current = Volatile.Read(ref _highWatermark);
        while (current > offset)
        {
            var seen = Interlocked.CompareExchange(ref _highWatermark, offset, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>Raises the high watermark to the new log start after retention deleted the records below it.</summary>
    private void RaiseHighWatermarkToStart(long logStartOffset)
    {
        var current = Volatile.Read(ref _highWatermark);
        while (current < logStartOffset)
        {
            var seen = Interlocked.CompareExchange(ref _highWatermark, logStartOffset, current);
            if (seen == current)
            {
                WakeHighWatermarkWaiters();
                return;
            }

            current = seen;
        }
    }

    private void MaybePersistHighWatermark()
    {
        var now = _time.GetTimestamp();
        if (_time.GetElapsedTime(Volatile.Read(ref _highWatermarkPersistedAt), now) < HighWatermarkPersistInterval
            || Interlocked.CompareExchange(ref _highWatermarkPersisting, 1, 0) != 0)
        {
            return;
        }

        Volatile.Write(ref _highWatermarkPersistedAt, now);
        _highWatermarkPersist = Task.Run(() =>
        {
            try
            {
                PersistHighWatermark(force: false);
            }
            finally
            {
                Volatile.Write(ref _highWatermarkPersisting, 0);
            }
        });
    }

    /// <summary>
    /// Writes the current high watermark to its checkpoint if it changed since the last write (or always, when
    /// <paramref name="force"/>). Serialised, so the file never goes back to a value older than one written before.
    /// Failures are logged, not thrown: a stale checkpoint is safe.
    /// </summary>
    private void PersistHighWatermark(bool force)
    {
        lock (_highWatermarkFileLock)
        {
            var value = HighWatermark;
            if (_highWatermarkClosed || (!force && value == _persistedHighWatermark))
            {
                return;
            }

            try
            {
                Span<byte> payload = stackalloc byte[sizeof(long)];
                BinaryPrimitives.WriteInt64LittleEndian(payload, value);
                CheckpointFile.Write(Path.Combine(Directory, HighWatermarkFileName), CheckpointFile.HighWatermarkKind, payload, _logger);
                _persistedHighWatermark = value;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _logger.HighWatermarkPersistFailed(ex, Directory);
            }
        }
    }

    /// <summary>Writes the final checkpoint and stops further writes (the directory may be deleted after disposal).</summary>
    private async Task CloseHighWatermarkAsync()
    {
        await _highWatermarkPersist.ConfigureAwait(false);
        PersistHighWatermark(force: false);
        lock (_highWatermarkFileLock)
        {
            _highWatermarkClosed = true;
        }
    }

    /// <summary>The checkpointed high watermark clamped to [start, end]; rewritten at once if the clamp lowered it.</summary>
    private static long LoadHighWatermark(string directory, long start, long end, ILogger logger)
    {
        var path = Path.Combine(directory, HighWatermarkFileName);
        var payload = CheckpointFile.TryRead(path, CheckpointFile.HighWatermarkKind, out _);
        if (payload is null || payload.Length != sizeof(long))
        {
            return start;
        }

        var stored = BinaryPrimitives.ReadInt64LittleEndian(payload);
        var value = Math.Clamp(stored, start, end);
        if (value < stored)
        {
            // Recovery cut records the checkpoint counted: never let a later reopen trust offsets refilled differently.
            try
            {
                Span<byte> bytes = stackalloc byte[sizeof(long)];
                BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
                CheckpointFile.Write(path, CheckpointFile.HighWatermarkKind, bytes, logger);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.HighWatermarkPersistFailed(ex, directory);
            }
        }

        return value;
    }
}
