using System.Collections.Concurrent;

namespace Sluice.Gateway.Quotas;

/// <summary>
/// Usage per tenant, stream and minute (UTC), added up in memory by the record paths and taken by
/// <see cref="UsageFlusher"/> into <c>usage_minutes</c>. Adding is a dictionary look-up and a few interlocked adds.
/// </summary>
public sealed class UsageMeter(TimeProvider time)
{
    private readonly ConcurrentDictionary<Key, Counters> _counters = new();

    public void AddIn(Guid tenantId, string stream, long records, long bytes, long throttled)
    {
        var counters = For(tenantId, stream);
        if (records != 0)
        {
            Interlocked.Add(ref counters.RecordsIn, records);
            Interlocked.Add(ref counters.BytesIn, bytes);
        }

        if (throttled != 0)
        {
            Interlocked.Add(ref counters.Throttled, throttled);
        }
    }

    public void AddOut(Guid tenantId, string stream, long records, long bytes)
    {
        var counters = For(tenantId, stream);
        Interlocked.Add(ref counters.RecordsOut, records);
        Interlocked.Add(ref counters.BytesOut, bytes);
    }

    public void AddThrottled(Guid tenantId, string stream, long count) => Interlocked.Add(ref For(tenantId, stream).Throttled, count);

    /// <summary>
    /// Takes what was added since the last call (resetting it), and forgets minutes that ended more than a minute ago and
    /// had nothing new. The caller hands back with <see cref="Restore"/> what it could not store.
    /// </summary>
    public List<UsageDelta> Take()
    {
        var deltas = new List<UsageDelta>();
        var stale = time.GetUtcNow().AddMinutes(-2);
        foreach (var (key, counters) in _counters)
        {
            var delta = new UsageDelta(
                key.TenantId, key.Stream, key.Minute,
                Interlocked.Exchange(ref counters.RecordsIn, 0),
                Interlocked.Exchange(ref counters.BytesIn, 0),
                Interlocked.Exchange(ref counters.RecordsOut, 0),
                Interlocked.Exchange(ref counters.BytesOut, 0),
                Interlocked.Exchange(ref counters.Throttled, 0));
            if (delta.IsEmpty)
            {
                if (key.Minute < stale)
                {
                    _counters.TryRemove(key, out _);
                }

                continue;
            }

            deltas.Add(delta);
        }

        return deltas;
    }

    /// <summary>Adds back usage that could not be stored, to go with the next flush.</summary>
    public void Restore(IEnumerable<UsageDelta> deltas)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        foreach (var delta in deltas)
        {
            var counters = _counters.GetOrAdd(new Key(delta.TenantId, delta.Stream, delta.Minute), static _ => new Counters());
            Interlocked.Add(ref counters.RecordsIn, delta.RecordsIn);
            Interlocked.Add(ref counters.BytesIn, delta.BytesIn);
            Interlocked.Add(ref counters.RecordsOut, delta.RecordsOut);
            Interlocked.Add(ref counters.BytesOut, delta.BytesOut);
            Interlocked.Add(ref counters.Throttled, delta.Throttled);
        }
    }

    private Counters For(Guid tenantId, string stream)
    {
        var now = time.GetUtcNow();
        var minute = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        return _counters.GetOrAdd(new Key(tenantId, stream, minute), static _ => new Counters());
    }

    private readonly record struct Key(Guid TenantId, string Stream, DateTimeOffset Minute);

    private sealed class Counters
    {
        public long RecordsIn;
        public long BytesIn;
        public long RecordsOut;
        public long BytesOut;
        public long Throttled;
    }
}
