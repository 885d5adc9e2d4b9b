using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Sluice.Metadata;

/// <summary>
/// Listens on <see cref="AccessControlStore.Channel"/> on a connection of its own and raises <see cref="Changed"/> with the tenant
/// whose principals or ACL entries changed. Notifications sent while it is not connected are lost, so after every (re)connect it
/// raises <see cref="Reset"/>: subscribers then drop everything they cached. Reconnects with backoff while PostgreSQL is away.
/// </summary>
public sealed partial class AccessControlListener : BackgroundService
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    // A connection whose server vanished would wait for a notification forever: prove it alive when idle.
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(5);

    private readonly string _connectionString;
    private readonly ILogger<AccessControlListener> _logger;
    private volatile bool _listening;

    public AccessControlListener(IDbContextFactory<MetadataDbContext> contexts, ILogger<AccessControlListener> logger)
    {
        using var db = contexts.CreateDbContext();
        var connectionString = db.Database.GetConnectionString() ?? throw new InvalidOperationException("The metadata store has no connection string.");

        // Not pooled: a pooled connection is reset (UNLISTEN) when it goes back to the pool.
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            KeepAlive = 5,
            ApplicationName = "sluice-acl-listener",
        }.ConnectionString;
        _logger = logger;
    }

    /// <summary>A tenant's principals or ACL entries changed. Raised on the listener's own task; handlers must be quick and not throw.</summary>
    public event Action<Guid>? Changed;

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
                await using (var listen = new NpgsqlCommand($"LISTEN {AccessControlStore.Channel}", connection))
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
        if (!Guid.TryParseExact(e.Payload, "D", out var tenantId))
        {
            LogBadPayload(_logger, e.Payload);
            return;
        }

        var handlers = Changed;
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<Action<Guid>>())
        {
            try
            {
                handler(tenantId);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for ACL changes")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ACL change listener disconnected; reconnecting in {BackoffMs} ms: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, double backoffMs, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored an ACL change notification that is not a tenant id: {Payload}")]
    private static partial void LogBadPayload(ILogger logger, string payload);

    [LoggerMessage(Level = LogLevel.Error, Message = "An ACL change handler failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);
}
