using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Sluice.Metadata;

namespace Sluice.Gateway.Quotas;

/// <summary>
/// Adds the metered usage to <c>usage_minutes</c> every <see cref="QuotaOptions.UsageFlushInterval"/> and on shutdown,
/// in one statement: INSERT … ON CONFLICT DO UPDATE adding to the row, so that every gateway's share adds up. Usage that
/// could not be stored (PostgreSQL away) is kept for the next flush.
/// </summary>
public sealed partial class UsageFlusher(
    UsageMeter meter, IDbContextFactory<MetadataDbContext> contexts, IOptions<QuotaOptions> options, ILogger<UsageFlusher> logger) : BackgroundService
{
    private const string Upsert = """
        INSERT INTO usage_minutes (tenant_id, stream_name, minute, records_in, bytes_in, records_out, bytes_out, throttled)
        SELECT u.tenant_id, u.stream_name, u.minute, u.records_in, u.bytes_in, u.records_out, u.bytes_out, u.throttled
        FROM unnest(@tenant, @stream, @minute, @records_in, @bytes_in, @records_out, @bytes_out, @throttled)
          AS u(tenant_id, stream_name, minute, records_in, bytes_in, records_out, bytes_out, throttled)
        WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.id = u.tenant_id)
        ON CONFLICT (tenant_id, minute, stream_name) DO UPDATE SET
          records_in = usage_minutes.records_in + excluded.records_in,
          bytes_in = usage_minutes.bytes_in + excluded.bytes_in,
          records_out = usage_minutes.records_out + excluded.records_out,
          bytes_out = usage_minutes.bytes_out + excluded.bytes_out,
          throttled = usage_minutes.throttled + excluded.throttled
        """;

    private static readonly TimeSpan ShutdownFlushTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.UsageFlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        using var timeout = new CancellationTokenSource(ShutdownFlushTimeout);
        await FlushAsync(timeout.Token);
    }

    /// <summary>Stores what was metered since the last flush; false when it had to be kept for later.</summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken = default)
    {
        var deltas = meter.Take();
        if (deltas.Count == 0)
        {
            return true;
        }

        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync(Upsert, [
                Array("tenant", NpgsqlDbType.Uuid, deltas.Select(d => d.TenantId)),
                Array("stream", NpgsqlDbType.Text, deltas.Select(d => d.Stream)),
                Array("minute", NpgsqlDbType.TimestampTz, deltas.Select(d => d.Minute)),
                Array("records_in", NpgsqlDbType.Bigint, deltas.Select(d => d.RecordsIn)),
                Array("bytes_in", NpgsqlDbType.Bigint, deltas.Select(d => d.BytesIn)),
                Array("records_out", NpgsqlDbType.Bigint, deltas.Select(d => d.RecordsOut)),
                Array("bytes_out", NpgsqlDbType.Bigint, deltas.Select(d => d.BytesOut)),
                Array("throttled", NpgsqlDbType.Bigint, deltas.Select(d => d.Throttled)),
            ], cancellationToken);
            return true;
        }
        catch (Exception ex)
        {
            meter.Restore(deltas);
            LogFlushFailed(logger, deltas.Count, ex.Message);
            return false;
        }
    }

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, IEnumerable<T> values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values.ToArray() };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not store {Count} usage rows: {Reason}; they are kept for the next flush")]
    private static partial void LogFlushFailed(ILogger logger, int count, string reason);
}
