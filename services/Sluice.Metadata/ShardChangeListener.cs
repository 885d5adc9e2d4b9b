using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Sluice.Metadata;

/// <summary>
/// Listens on the <see cref="PartitionStateStore.Channel"/> channel on a connection of its own and
/// raises <see cref="Changed"/> for every shard change announced there. Notifications sent while it
/// is not connected are lost, so after every (re)connect it raises <see cref="Reset"/>: subscribers
/// then drop all they cached. Reconnects with backoff while PostgreSQL is away.
/// </summary>
public sealed partial class ShardChangeListener : BackgroundService
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    // How long to wait for a notification before proving the connection alive with a query: a
    // connection whose server vanished would otherwise wait forever.
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(5);

    private readonly string _connectionString;
    private readonly ILogger<ShardChangeListener> _logger;
    private volatile bool _listening;

    public ShardChangeListener(IDbContextFactory<MetadataDbContext> contexts, ILogger<ShardChangeListener> logger)
    {
        using var db = contexts.CreateDbContext();
        var connectionString = db.Database.GetConnectionString() ?? throw new InvalidOperationException("The metadata store has no connection string.");

        // Not pooled: a pooled connection is reset (UNLISTEN) when it goes back to the pool, and a
        // LISTEN connection is held for the life of the process anyway.
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            KeepAlive = 5,
            ApplicationName = "sluice-shard-listener",
        }.ConnectionString;
        _logger = logger;
    }

    /// <summary>A shard's leader or ISR changed. Raised on the listener's own task; handlers must be quick and not throw.</summary>
    public event Action<ShardChange>? Changed;

    /// <summary>The listener (re)connected and may have missed changes: drop everything cached.</summary>
    public event Action? Reset;

    /// <summary>True while LISTEN is in effect.</summary>
    public bool IsListening => _listening;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = MinBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {PartitionStateStore.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                _listening = true;
                backoff = MinBackoff;
                LogListening(_logger);
                Raise(Reset);
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(IdleCheck, stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException or IOException)
            {
                LogDisconnected(_logger, backoff.TotalMilliseconds, ex.Message);
            }
            finally
            {
                _listening = false;
            }

            try
            {
                await Task.Delay(backoff, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (!ShardChange.TryParse(e.Payload, out var change))
        {
            LogBadPayload(_logger, e.Payload);
            return;
        }

        var handlers = Changed;
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<Action<ShardChange>>())
        {
            try
            {
                handler(change);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(_logger, ex);
            }
        }
    }

    private void Raise(Action? handlers)
    {
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<Action>())
        {
            try
            {
                handler();
            }
            catch (Exception ex)
            {
                LogHandlerFailed(_logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for shard changes")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard change listener disconnected; reconnecting in {BackoffMs} ms: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, double backoffMs, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a shard change notification that is not streamId/shardIndex/leaderEpoch/partitionEpoch: {Payload}")]
    private static partial void LogBadPayload(ILogger logger, string payload);

    [LoggerMessage(Level = LogLevel.Error, Message = "A shard change handler failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);
}
