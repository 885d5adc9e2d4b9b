using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Gateway.Observability;
using Sluice.Gateway.Quotas.Internal;
using Sluice.Gateway.Routing;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Quotas;

/// <summary>
/// Decides whether a put's shards or a read fit the quotas: per shard (records and bytes in, read calls and bytes out),
/// per tenant (bytes in and out) and per stream (bytes in and out, when set). Asks Redis in one round trip per request;
/// while Redis is unavailable the local limiter answers with this gateway's share of the limits, and the request never
/// waits on Redis. Reports throttles to the metrics and the usage meter.
/// </summary>
public sealed partial class QuotaLimiter
{
    private readonly QuotaOptions _options;
    private readonly QuotaLimitsCache _limits;
    private readonly RedisBucketStore _redis;
    private readonly LocalBucketStore _local;
    private readonly GatewayMetrics _metrics;
    private readonly UsageMeter _usage;
    private readonly IHttpContextAccessor _http;
    private readonly ConcurrentDictionary<(long StreamId, int Shard), ShardKeys> _shardKeys = new();
    private readonly ConcurrentDictionary<Guid, (string In, string Out)> _tenantKeys = new();
    private readonly ConcurrentDictionary<long, (string In, string Out)> _streamKeys = new();
    private readonly BucketRate _shardRecordsIn;
    private readonly BucketRate _shardBytesIn;
    private readonly BucketRate _shardReadCalls;
    private readonly BucketRate _shardBytesOut;
    private readonly long _idleExpiryMs;

    internal QuotaLimiter(
        IOptions<QuotaOptions> options, QuotaLimitsCache limits, RedisBucketStore redis, LocalBucketStore local, GatewayMetrics metrics, UsageMeter usage, IHttpContextAccessor http)
    {
        _options = options.Value;
        _limits = limits;
        _redis = redis;
        _local = local;
        _metrics = metrics;
        _usage = usage;
        _http = http;
        _shardRecordsIn = BucketRate.Of(_options.ShardIngressRecordsPerSecond, _options.BurstSeconds);
        _shardBytesIn = BucketRate.Of(_options.ShardIngressBytesPerSecond, _options.BurstSeconds);
        _shardReadCalls = BucketRate.Of(_options.ShardReadCallsPerSecond, _options.BurstSeconds);
        _shardBytesOut = BucketRate.Of(_options.ShardEgressBytesPerSecond, _options.BurstSeconds);
        _idleExpiryMs = (long)_options.IdleExpiry.TotalMilliseconds;
        metrics.ObserveFallback(() => Mode == QuotaMode.LocalFallback ? 1 : 0);
    }

    public bool Enabled => _options.Enabled;

    public QuotaMode Mode => !_options.Enabled ? QuotaMode.Disabled : _redis.IsAvailable ? QuotaMode.Redis : QuotaMode.LocalFallback;

    /// <summary>Since when Redis has been unavailable (null while it answers or quotas are off).</summary>
    public DateTimeOffset? FallbackSince => Mode == QuotaMode.LocalFallback ? _redis.UnavailableSince : null;

    /// <summary>Why Redis is unavailable, while it is.</summary>
    public string? FallbackReason => Mode == QuotaMode.LocalFallback ? _redis.LastError : null;

    /// <summary>
    /// The verdict for each shard of a put, in the order given (null when quotas are off). Admitted shards have taken
    /// their tokens; refused ones took nothing, so their records must not be written.
    /// </summary>
    public async ValueTask<QuotaVerdict[]?> AdmitWriteAsync(Tenant tenant, StreamRoute route, IReadOnlyList<ShardWrite> shards, CancellationToken cancellationToken = default)
    {
        if (!_options.Enabled || shards.Count == 0)
        {
            return null;
        }

        var limits = await _limits.GetAsync(tenant, cancellationToken);
        var tenantKeys = TenantKeys(tenant.Id);
        var demands = new ShardDemand[shards.Count];
        for (var i = 0; i < demands.Length; i++)
        {
            var keys = ShardKeysOf(route.StreamId, shards[i].ShardIndex);
            demands[i] = new ShardDemand(keys.RecordsIn, keys.BytesIn, shards[i].Records, shards[i].Bytes);
        }

        var streamLimit = limits.Streams.TryGetValue(route.StreamId, out var stream) ? stream.IngressBytesPerSecond : null;
        var demand = new WriteDemand
        {
            Shards = demands,
            ShardRecords = _shardRecordsIn,
            ShardBytes = _shardBytesIn,
            TenantKey = tenantKeys.In,
            Tenant = BucketRate.Of(limits.IngressBytesPerSecond ?? _options.TenantIngressBytesPerSecond, _options.BurstSeconds),
            StreamKey = streamLimit is null ? null : StreamKeys(route.StreamId).In,
            Stream = streamLimit is { } s ? BucketRate.Of(s, _options.BurstSeconds) : default,
            IdleExpiryMs = _idleExpiryMs,
        };

        if (_redis.IsAvailable)
        {
            try
            {
                return await _redis.TakeWriteAsync(demand);
            }
            catch (Exception ex) when (RedisBucketStore.IsOutage(ex))
            {
                _redis.Trip(ex);
            }
        }

        return _local.TakeWrite(demand);
    }

    /// <summary>
    /// Before a read: takes one of the shard's read calls when <paramref name="takeCall"/>, and refuses while the shard's,
    /// the tenant's or the stream's egress is in debt. Throws <see cref="SluiceErrorCode.Throttled"/> when refused.
    /// </summary>
    public async ValueTask AdmitReadAsync(Tenant tenant, StreamRoute route, int shardIndex, bool takeCall, CancellationToken cancellationToken = default)
    {
        if (!_options.Enabled)
        {
            return;
        }

        var demand = await ReadDemandAsync(tenant, route, shardIndex, takeCall, cancellationToken);
        QuotaVerdict verdict;
        if (_redis.IsAvailable)
        {
            try
            {
                verdict = await _redis.TakeReadAsync(demand);
            }
            catch (Exception ex) when (RedisBucketStore.IsOutage(ex))
            {
                _redis.Trip(ex);
                verdict = _local.TakeRead(demand);
            }
        }
        else
        {
            verdict = _local.TakeRead(demand);
        }

        if (!verdict.IsAdmitted)
        {
            _usage.AddThrottled(tenant.Id, route.Name, 1);
            ReportThrottled(verdict.RefusedBy, records: 0, wholeRequest: true);
            throw Throttled(verdict, tenant, route.Name, Core.ShardId.Format(shardIndex));
        }
    }

    /// <summary>After a read: charges its bytes to the egress buckets (which may go into debt). Does not wait for Redis.</summary>
    public void ChargeRead(Tenant tenant, StreamRoute route, int shardIndex, long bytes)
    {
        if (!_options.Enabled || bytes <= 0)
        {
            return;
        }

        if (!_limits.TryGetCached(tenant.Id, out var limits))
        {
            // The read's admission read the tenant's limits; an admin change since dropped them: charge against the defaults.
            limits = new TenantLimits(tenant.IngressBytesPerSecond, tenant.EgressBytesPerSecond, TenantLimits.NoStreams);
        }

        var demand = ReadDemand(tenant, route, shardIndex, takeCall: false, limits);
        if (_redis.IsAvailable)
        {
            _ = ChargeRedisAsync(demand, bytes);
        }
        else
        {
            _local.Charge(demand, bytes);
        }
    }

    /// <summary>Counts records of a put that a quota refused, for the metrics (the face is taken from the request).</summary>
    public void ReportThrottled(BucketKind kind, long records, bool wholeRequest) =>
        _metrics.Throttled(Face(), BucketTag(kind), records, wholeRequest);

    /// <summary>The error of a request (or record) a quota refused, worded as Kinesis words it.</summary>
    public static SluiceException Throttled(QuotaVerdict verdict, Tenant tenant, string streamName, string shardId) =>
        new(SluiceErrorCode.Throttled, Message(verdict.RefusedBy, tenant, streamName, shardId)) { RetryAfter = verdict.RetryAfter };

    /// <summary>Kinesis' message for a throttled record or request.</summary>
    public static string Message(BucketKind kind, Tenant tenant, string streamName, string shardId) => kind switch
    {
        BucketKind.TenantBytesIn or BucketKind.TenantBytesOut =>
            $"Rate exceeded for account {tenant.AccountId}: the tenant's {(kind == BucketKind.TenantBytesIn ? "write" : "read")} throughput quota is used up.",
        BucketKind.StreamBytesIn or BucketKind.StreamBytesOut =>
            $"Rate exceeded for stream {streamName} under account {tenant.AccountId}: the stream's {(kind == BucketKind.StreamBytesIn ? "write" : "read")} throughput quota is used up.",
        _ => $"Rate exceeded for shard {shardId} in stream {streamName} under account {tenant.AccountId}.",
    };

    /// <summary>Retry-After in whole seconds, at least 1.</summary>
    public static string RetryAfterSeconds(TimeSpan? retryAfter) =>
        Math.Max(1, (long)Math.Ceiling((retryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private async Task ChargeRedisAsync(ReadDemand demand, long bytes)
    {
        try
        {
            await _redis.ChargeAsync(demand, bytes);
        }
        catch (Exception ex) when (RedisBucketStore.IsOutage(ex))
        {
            _redis.Trip(ex);
            _local.Charge(demand, bytes);
        }
    }

    private async ValueTask<ReadDemand> ReadDemandAsync(Tenant tenant, StreamRoute route, int shardIndex, bool takeCall, CancellationToken cancellationToken) =>
        ReadDemand(tenant, route, shardIndex, takeCall, await _limits.GetAsync(tenant, cancellationToken));

    private ReadDemand ReadDemand(Tenant tenant, StreamRoute route, int shardIndex, bool takeCall, TenantLimits limits)
    {
        var keys = ShardKeysOf(route.StreamId, shardIndex);
        var streamLimit = limits.Streams.TryGetValue(route.StreamId, out var stream) ? stream.EgressBytesPerSecond : null;
        return new ReadDemand
        {
            CallsKey = takeCall ? keys.ReadCalls : null,
            Calls = _shardReadCalls,
            ShardBytesKey = keys.BytesOut,
            ShardBytes = _shardBytesOut,
            TenantKey = TenantKeys(tenant.Id).Out,
            Tenant = BucketRate.Of(limits.EgressBytesPerSecond ?? _options.TenantEgressBytesPerSecond, _options.BurstSeconds),
            StreamKey = streamLimit is null ? null : StreamKeys(route.StreamId).Out,
            Stream = streamLimit is { } s ? BucketRate.Of(s, _options.BurstSeconds) : default,
            IdleExpiryMs = _idleExpiryMs,
        };
    }

    private ShardKeys ShardKeysOf(long streamId, int shardIndex) =>
        _shardKeys.GetOrAdd((streamId, shardIndex), static (key, prefix) =>
        {
            var stem = string.Create(CultureInfo.InvariantCulture, $"{prefix}{key.StreamId}:{key.Shard}:");
            return new ShardKeys(stem + "ri", stem + "bi", stem + "rc", stem + "bo");
        }, _options.KeyPrefix);

    private (string In, string Out) TenantKeys(Guid tenantId) =>
        _tenantKeys.GetOrAdd(tenantId, static (id, prefix) => ($"{prefix}t:{id:N}:bi", $"{prefix}t:{id:N}:bo"), _options.KeyPrefix);

    private (string In, string Out) StreamKeys(long streamId) =>
        _streamKeys.GetOrAdd(streamId, static (id, prefix) =>
            (string.Create(CultureInfo.InvariantCulture, $"{prefix}s:{id}:bi"), string.Create(CultureInfo.InvariantCulture, $"{prefix}s:{id}:bo")), _options.KeyPrefix);

    /// <summary>The face a request came in by: Kinesis (X-Amz-Target), gRPC (application/grpc) or REST.</summary>
    private string Face()
    {
        var request = _http.HttpContext?.Request;
        if (request is null)
        {
            return "unknown";
        }

        if (request.Headers.ContainsKey("X-Amz-Target"))
        {
            return "kinesis";
        }

        return request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true ? "grpc" : "rest";
    }

    private static string BucketTag(BucketKind kind) => kind switch
    {
        BucketKind.ShardRecordsIn => "shard_records_in",
        BucketKind.ShardBytesIn => "shard_bytes_in",
        BucketKind.TenantBytesIn => "tenant_bytes_in",
        BucketKind.StreamBytesIn => "stream_bytes_in",
        BucketKind.ShardReadCalls => "shard_read_calls",
        BucketKind.ShardBytesOut => "shard_bytes_out",
        BucketKind.TenantBytesOut => "tenant_bytes_out",
        BucketKind.StreamBytesOut => "stream_bytes_out",
        _ => "none",
    };

    private sealed record ShardKeys(string RecordsIn, string BytesIn, string ReadCalls, string BytesOut);
}
