using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Sluice.Gateway.Quotas.Internal;

/// <summary>
/// The token buckets in Redis: one EVALSHA of <see cref="TokenBucketScript"/> per request. Redis failing (refused, reset,
/// timed out) opens a circuit: <see cref="IsAvailable"/> turns false, callers use the local limiter without touching Redis,
/// and a background probe (PING and SCRIPT LOAD every <see cref="QuotaOptions.ProbeInterval"/>) closes it again once Redis
/// answers. Commands fail fast instead of queueing while the connection is down, and time out after
/// <see cref="QuotaOptions.RedisTimeout"/>, so a dead Redis adds at most that to the requests in flight when it died.
/// </summary>
internal sealed partial class RedisBucketStore : IAsyncDisposable
{
    private readonly QuotaOptions _options;
    private readonly string _connectionString;
    private readonly ILogger<RedisBucketStore> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private ConnectionMultiplexer? _connection;
    private byte[]? _scriptHash;
    private Task? _probe;
    private volatile bool _available;

    public RedisBucketStore(IOptions<QuotaOptions> options, IConfiguration configuration, ILogger<RedisBucketStore> logger)
    {
        _options = options.Value;
        _connectionString = configuration.GetConnectionString("Redis") ?? "";
        _logger = logger;
    }

    /// <summary>True while Redis answers; false from the first failure until a probe succeeds.</summary>
    public bool IsAvailable => _available;

    /// <summary>When the circuit last opened (Redis became unavailable), or null while it is closed.</summary>
    public DateTimeOffset? UnavailableSince { get; private set; }

    /// <summary>Why Redis was last found unavailable.</summary>
    public string? LastError { get; private set; }

    /// <summary>Starts connecting in the background; until Redis answers, callers use the local limiter.</summary>
    public void Start()
    {
        UnavailableSince = DateTimeOffset.UtcNow;
        LastError = "connecting";
        EnsureProbing();
    }

    public async Task<QuotaVerdict[]> TakeWriteAsync(WriteDemand demand)
    {
        var n = demand.Shards.Length;
        var keys = new RedisKey[(2 * n) + (demand.StreamKey is null ? 1 : 2)];
        var values = new RedisValue[12 + (2 * n)];
        values[0] = "w";
        values[1] = demand.IdleExpiryMs;
        values[2] = n;
        values[3] = demand.StreamKey is null ? 0 : 1;
        values[4] = demand.ShardRecords.PerSecond;
        values[5] = demand.ShardRecords.Capacity;
        values[6] = demand.ShardBytes.PerSecond;
        values[7] = demand.ShardBytes.Capacity;
        values[8] = demand.Tenant.PerSecond;
        values[9] = demand.Tenant.Capacity;
        values[10] = demand.Stream.PerSecond;
        values[11] = demand.Stream.Capacity;
        for (var i = 0; i < n; i++)
        {
            var shard = demand.Shards[i];
            keys[2 * i] = shard.RecordsKey;
            keys[(2 * i) + 1] = shard.BytesKey;
            values[12 + (2 * i)] = shard.Records;
            values[13 + (2 * i)] = shard.Bytes;
        }

        keys[2 * n] = demand.TenantKey;
        if (demand.StreamKey is not null)
        {
            keys[(2 * n) + 1] = demand.StreamKey;
        }

        var reply = await EvaluateAsync(keys, values);
        var verdicts = new QuotaVerdict[n];
        for (var i = 0; i < n; i++)
        {
            verdicts[i] = QuotaVerdict.FromScript((long)reply[2 * i], (long)reply[(2 * i) + 1]);
        }

        return verdicts;
    }

    public async Task<QuotaVerdict> TakeReadAsync(ReadDemand demand)
    {
        var keys = demand.StreamKey is null
            ? new RedisKey[] { demand.CallsKey, demand.ShardBytesKey, demand.TenantKey }
            : [demand.CallsKey, demand.ShardBytesKey, demand.TenantKey, demand.StreamKey];
        RedisValue[] values =
        [
            "r", demand.IdleExpiryMs, demand.StreamKey is null ? 0 : 1,
            demand.Calls.PerSecond, demand.Calls.Capacity, demand.ShardBytes.PerSecond, demand.ShardBytes.Capacity,
            demand.Tenant.PerSecond, demand.Tenant.Capacity, demand.Stream.PerSecond, demand.Stream.Capacity,
        ];
        var reply = await EvaluateAsync(keys, values);
        return QuotaVerdict.FromScript((long)reply[0], (long)reply[1]);
    }

    public async Task ChargeAsync(ReadDemand demand, long bytes)
    {
        var keys = demand.StreamKey is null
            ? new RedisKey[] { demand.ShardBytesKey, demand.TenantKey }
            : [demand.ShardBytesKey, demand.TenantKey, demand.StreamKey];
        RedisValue[] values =
        [
            "c", demand.IdleExpiryMs, demand.StreamKey is null ? 0 : 1,
            demand.ShardBytes.PerSecond, demand.ShardBytes.Capacity, demand.Tenant.PerSecond, demand.Tenant.Capacity,
            demand.Stream.PerSecond, demand.Stream.Capacity, bytes,
        ];
        await EvaluateAsync(keys, values);
    }

    /// <summary>True for the failures that mean Redis cannot be used now (as opposed to a bug in a request).</summary>
    /// Any Redis error counts: the gateway keeps serving with the local limiter rather than fail requests over quotas.
    public static bool IsOutage(Exception exception) => exception is RedisException or TimeoutException or ObjectDisposedException or InvalidCastException;

    /// <summary>Opens the circuit after <paramref name="exception"/>: callers use the local limiter until a probe succeeds.</summary>
    public void Trip(Exception exception)
    {
        lock (_lock)
        {
            if (_available)
            {
                _available = false;
                UnavailableSince = DateTimeOffset.UtcNow;
                LogUnavailable(_logger, exception.GetType().Name, exception.Message);
            }

            LastError = exception.Message;
        }

        EnsureProbing();
    }

    private async Task<RedisResult[]> EvaluateAsync(RedisKey[] keys, RedisValue[] values)
    {
        var connection = _connection ?? throw new RedisException("Redis is not connected yet.");
        var hash = _scriptHash ?? throw new RedisException("The quota script is not loaded yet.");
        var db = connection.GetDatabase();
        RedisResult result;
        try
        {
            result = await db.ScriptEvaluateAsync(hash, keys, values);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // Redis restarted (or was flushed) since the script was loaded: load it again, once.
            hash = await LoadScriptAsync(db);
            result = await db.ScriptEvaluateAsync(hash, keys, values);
        }

        return (RedisResult[])result!;
    }

    private async Task<byte[]> LoadScriptAsync(IDatabase db)
    {
        var reply = await db.ExecuteAsync("SCRIPT", "LOAD", TokenBucketScript.Source);
        var hash = Convert.FromHexString((string)reply!);
        _scriptHash = hash;
        return hash;
    }

    private void EnsureProbing()
    {
        lock (_lock)
        {
            if (_probe is { IsCompleted: false } || _stopping.IsCancellationRequested)
            {
                return;
            }

            _probe = Task.Run(() => ProbeAsync(_stopping.Token));
        }
    }

    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.ProbeInterval);
        do
        {
            try
            {
                _connection ??= await ConnectionMultiplexer.ConnectAsync(Configuration());
                if (_connection.IsConnected)
                {
                    var db = _connection.GetDatabase();
                    await db.PingAsync();
                    await LoadScriptAsync(db);
                    lock (_lock)
                    {
                        _available = true;
                        UnavailableSince = null;
                        LastError = null;
                    }

                    LogAvailable(_logger);
                    return;
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LastError = ex.Message;
            }
        }
        while (await WaitAsync(timer, cancellationToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private ConfigurationOptions Configuration()
    {
        var configuration = ConfigurationOptions.Parse(_connectionString);
        var timeout = (int)Math.Ceiling(_options.RedisTimeout.TotalMilliseconds);
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = Math.Max(timeout * 4, 1000);
        configuration.SyncTimeout = timeout;
        configuration.AsyncTimeout = timeout;
        configuration.ConnectRetry = 1;
        // While the connection is down a command fails at once rather than waiting in the backlog: the local limiter answers.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName ??= "sluice-gateway";
        configuration.ReconnectRetryPolicy = new LinearRetry((int)Math.Ceiling(_options.ProbeInterval.TotalMilliseconds));
        return configuration;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_probe is not null)
        {
            await _probe.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable ({Type}: {Reason}); quotas fall back to this gateway's local limiter until it answers again")]
    private static partial void LogUnavailable(ILogger logger, string type, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis answers: quotas are kept in Redis")]
    private static partial void LogAvailable(ILogger logger);
}
