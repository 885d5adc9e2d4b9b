using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Sluice.Metadata;

public sealed partial class AccessKeyStore
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _pendingUses = new(StringComparer.Ordinal);
    private long _lastFlushTicks = DateTimeOffset.MinValue.UtcTicks;
    private int _flushing;

    /// <summary>
    /// Records that a request signed with the key was just accepted. Cheap enough for every request:
    /// it only notes the time in memory; at most once per
    /// <see cref="AccessKeyStoreOptions.LastUsedWriteInterval"/> the noted times of all keys are
    /// written to PostgreSQL in one statement, in the background. Call it only with ids of keys
    /// that authenticated a request (the memory it takes is one entry per such key).
    /// </summary>
    public void TouchLastUsed(string accessKeyId)
    {
        var now = _timeProvider.GetUtcNow();
        _pendingUses[accessKeyId] = now;
        if (now.UtcTicks - Interlocked.Read(ref _lastFlushTicks) >= _options.LastUsedWriteInterval.Ticks
            && Interlocked.CompareExchange(ref _flushing, 1, 0) == 0)
        {
            Interlocked.Exchange(ref _lastFlushTicks, now.UtcTicks);
            _ = FlushInBackgroundAsync();
        }
    }

    /// <summary>
    /// Writes the last-used times noted by <see cref="TouchLastUsed"/> now (a host calls it on
    /// shutdown; tests call it to skip the wait). A time is never moved backwards. When PostgreSQL
    /// is unavailable the times are kept for the next flush and the exception is thrown.
    /// </summary>
    public async Task FlushLastUsedAsync(CancellationToken cancellationToken = default)
    {
        if (_pendingUses.IsEmpty)
        {
            return;
        }

        var ids = new List<string>(_pendingUses.Count);
        var times = new List<DateTimeOffset>(_pendingUses.Count);
        foreach (var (id, usedAt) in _pendingUses)
        {
            // Only take the entry if it was not touched again meanwhile; a newer time stays for the next flush.
            if (_pendingUses.TryRemove(KeyValuePair.Create(id, usedAt)))
            {
                ids.Add(id);
                times.Add(usedAt.ToUniversalTime());
            }
        }

        if (ids.Count == 0)
        {
            return;
        }

        try
        {
            await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
            var idArray = ids.ToArray();
            var timeArray = times.ToArray();
            await db.Database.ExecuteSqlAsync($"""
                UPDATE access_keys AS k SET last_used_at = u.used_at
                FROM unnest({idArray}::text[], {timeArray}::timestamptz[]) AS u(id, used_at)
                WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.used_at)
                """, cancellationToken);
        }
        catch
        {
            for (var i = 0; i < ids.Count; i++)
            {
                _pendingUses.TryAdd(ids[i], times[i]);
            }

            throw;
        }
    }

    private async Task FlushInBackgroundAsync()
    {
        try
        {
            await FlushLastUsedAsync();
        }
        catch (Exception ex)
        {
            // Last-used times are bookkeeping: a failed write is retried with the next flush.
            LogLastUsedFlushFailed(_logger, ex.Message);
        }
        finally
        {
            Volatile.Write(ref _flushing, 0);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record when access keys were last used; will retry: {Reason}")]
    private static partial void LogLastUsedFlushFailed(ILogger logger, string reason);
}
