using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Sluice.Metadata;

/// <summary>
/// Listens on <see cref="AccessChange.Channel"/> on a connection of its own and raises <see cref="Changed"/> for every
/// tenant or access key whose ability to authenticate changed, so caches of tenants and keys drop them at once rather
/// than when their time-to-live runs out. Notifications sent while it is not connected are lost, so after every
/// (re)connect it raises <see cref="Reset"/>: subscribers then drop all they cached. Reconnects with backoff.
/// </summary>
public sealed partial class AccessChangeListener : BackgroundService
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    // How long to wait for a notification before proving the connection alive with a query.
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(5);

    private readonly string _connectionString;
    private readonly ILogger<AccessChangeListener> _logger;
    private volatile bool _listening;

    public AccessChangeListener(IDbContextFactory<MetadataDbContext> contexts, ILogger<AccessChangeListener> logger)
    {
        using var db = contexts.CreateDbContext();
        var connectionString = db.Database.GetConnectionString() ?? throw new InvalidOperationException("The metadata store has no connection string.");

        // Not pooled: a pooled connection is reset (UNLISTEN) when it goes back to the pool.
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            KeepAlive = 5,
            ApplicationName = "sluice-access-listener",
        }.ConnectionString;
        _logger = logger;
    }

    /// <summary>A tenant or key changed. Raised on the listener's own task; handlers must be quick and not throw.</summary>
    public event Action<AccessChange>? Changed;

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
                await using (var listen = new NpgsqlCommand($"LISTEN {AccessChange.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                _listening = true;
                backoff = MinBackoff;
                LogListening(_logger);
                RaiseReset();
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
        if (!AccessChange.TryParse(e.Payload, out var change))
        {
            LogBadPayload(_logger, e.Payload);
            return;
        }

        var handlers = Changed;
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<Action<AccessChange>>())
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

    private void RaiseReset()
    {
        var handlers = Reset;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for tenant and access key changes")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access change listener disconnected; reconnecting in {BackoffMs} ms: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, double backoffMs, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored an access change notification that is neither tenant/{{id}} nor access-key/{{id}}: {Payload}")]
    private static partial void LogBadPayload(ILogger logger, string payload);

    [LoggerMessage(Level = LogLevel.Error, Message = "An access change handler failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);
}
