using Microsoft.Extensions.Options;

namespace Sluice.Gateway.Quotas.Internal;

/// <summary>
/// The in-process limiter used while Redis is unavailable: the same buckets and rules as <see cref="TokenBucketScript"/>,
/// each limit divided by <see cref="QuotaOptions.GatewayCount"/> so that the gateways together stay near the limit.
/// One lock over all buckets: it only runs during an outage, and each step is a few arithmetic operations.
/// </summary>
internal sealed class LocalBucketStore
{
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly int _gateways;
    private readonly long _idleExpiryTicks;
    private long _lastSweep;

    public LocalBucketStore(IOptions<QuotaOptions> options, TimeProvider time)
    {
        _time = time;
        _gateways = options.Value.GatewayCount;
        _idleExpiryTicks = (long)(options.Value.IdleExpiry.TotalSeconds * time.TimestampFrequency);
        _lastSweep = time.GetTimestamp();
    }

    /// <summary>Buckets held now (for tests and the sweep).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _buckets.Count;
            }
        }
    }

    public QuotaVerdict[] TakeWrite(WriteDemand demand)
    {
        var verdicts = new QuotaVerdict[demand.Shards.Length];
        var recordsRate = demand.ShardRecords.Share(_gateways);
        var bytesRate = demand.ShardBytes.Share(_gateways);
        var tenantRate = demand.Tenant.Share(_gateways);
        var streamRate = demand.Stream.Share(_gateways);
        lock (_lock)
        {
            var now = Now();
            var tenant = Load(demand.TenantKey, tenantRate, now);
            var stream = demand.StreamKey is null ? null : Load(demand.StreamKey, streamRate, now);
            double used = 0;
            for (var i = 0; i < demand.Shards.Length; i++)
            {
                var shard = demand.Shards[i];
                var records = Load(shard.RecordsKey, recordsRate, now);
                var bytes = Load(shard.BytesKey, bytesRate, now);
                if (!Fits(records.Tokens, shard.Records, recordsRate))
                {
                    verdicts[i] = Refuse(BucketKind.ShardRecordsIn, records.Tokens, shard.Records, recordsRate);
                }
                else if (!Fits(bytes.Tokens, shard.Bytes, bytesRate))
                {
                    verdicts[i] = Refuse(BucketKind.ShardBytesIn, bytes.Tokens, shard.Bytes, bytesRate);
                }
                else if (!Fits(tenant.Tokens - used, shard.Bytes, tenantRate))
                {
                    verdicts[i] = Refuse(BucketKind.TenantBytesIn, tenant.Tokens - used, shard.Bytes, tenantRate);
                }
                else if (stream is not null && !Fits(stream.Tokens - used, shard.Bytes, streamRate))
                {
                    verdicts[i] = Refuse(BucketKind.StreamBytesIn, stream.Tokens - used, shard.Bytes, streamRate);
                }
                else
                {
                    records.Tokens -= shard.Records;
                    bytes.Tokens -= shard.Bytes;
                    used += shard.Bytes;
                }
            }

            tenant.Tokens -= used;
            if (stream is not null)
            {
                stream.Tokens -= used;
            }

            SweepIfDue(now);
        }

        return verdicts;
    }

    public QuotaVerdict TakeRead(ReadDemand demand)
    {
        var callsRate = demand.Calls.Share(_gateways);
        var shardRate = demand.ShardBytes.Share(_gateways);
        var tenantRate = demand.Tenant.Share(_gateways);
        var streamRate = demand.Stream.Share(_gateways);
        lock (_lock)
        {
            var now = Now();
            Bucket? calls = null;
            if (demand.CallsKey is not null)
            {
                calls = Load(demand.CallsKey, callsRate, now);
                if (!Fits(calls.Tokens, 1, callsRate))
                {
                    return Refuse(BucketKind.ShardReadCalls, calls.Tokens, 1, callsRate);
                }
            }

            var shard = Load(demand.ShardBytesKey, shardRate, now);
            if (shard.Tokens <= 0)
            {
                return Refuse(BucketKind.ShardBytesOut, shard.Tokens, 1, shardRate);
            }

            var tenant = Load(demand.TenantKey, tenantRate, now);
            if (tenant.Tokens <= 0)
            {
                return Refuse(BucketKind.TenantBytesOut, tenant.Tokens, 1, tenantRate);
            }

            if (demand.StreamKey is not null)
            {
                var stream = Load(demand.StreamKey, streamRate, now);
                if (stream.Tokens <= 0)
                {
                    return Refuse(BucketKind.StreamBytesOut, stream.Tokens, 1, streamRate);
                }
            }

            if (calls is not null)
            {
                calls.Tokens -= 1;
            }

            return QuotaVerdict.Admitted;
        }
    }

    public void Charge(ReadDemand demand, long bytes)
    {
        lock (_lock)
        {
            var now = Now();
            Load(demand.ShardBytesKey, demand.ShardBytes.Share(_gateways), now).Tokens -= bytes;
            Load(demand.TenantKey, demand.Tenant.Share(_gateways), now).Tokens -= bytes;
            if (demand.StreamKey is not null)
            {
                Load(demand.StreamKey, demand.Stream.Share(_gateways), now).Tokens -= bytes;
            }

            SweepIfDue(now);
        }
    }

    private long Now() => _time.GetTimestamp();

    /// <summary>The bucket, refilled up to now (created full).</summary>
    private Bucket Load(string key, BucketRate rate, long now)
    {
        if (!_buckets.TryGetValue(key, out var bucket))
        {
            bucket = new Bucket { Tokens = rate.Capacity, UpdatedAt = now };
            _buckets.Add(key, bucket);
            return bucket;
        }

        if (now > bucket.UpdatedAt)
        {
            bucket.Tokens = Math.Min(rate.Capacity, bucket.Tokens + ((now - bucket.UpdatedAt) * rate.PerSecond / _time.TimestampFrequency));
            bucket.UpdatedAt = now;
        }

        return bucket;
    }

    // As the script: room for the demand, or a full bucket (which lets one oversized demand through into debt).
    private static bool Fits(double tokens, double need, BucketRate rate) => tokens >= need || tokens >= rate.Capacity;

    private static QuotaVerdict Refuse(BucketKind kind, double tokens, double need, BucketRate rate)
    {
        var target = Math.Min(need, rate.Capacity);
        var ms = Math.Max(1, Math.Ceiling((target - tokens) * 1000 / rate.PerSecond));
        return new QuotaVerdict(kind, TimeSpan.FromMilliseconds(ms));
    }

    private void SweepIfDue(long now)
    {
        if (now - _lastSweep < _idleExpiryTicks)
        {
            return;
        }

        _lastSweep = now;
        List<string>? idle = null;
        foreach (var (key, bucket) in _buckets)
        {
            if (now - bucket.UpdatedAt >= _idleExpiryTicks)
            {
                (idle ??= []).Add(key);
            }
        }

        if (idle is not null)
        {
            foreach (var key in idle)
            {
                _buckets.Remove(key);
            }
        }
    }

    private sealed class Bucket
    {
        public double Tokens;
        public long UpdatedAt;
    }
}
