using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Sluice.Metadata;

/// <summary>
/// Listens on one PostgreSQL NOTIFY channel on a connection of its own and raises <see cref="Changed"/> for every
/// notification whose payload <see cref="TryParse"/> understands. Notifications sent while it is not connected are
/// lost, so after every (re)connect it raises <see cref="Reset"/>: subscribers then drop everything they cached.
/// Reconnects with backoff while PostgreSQL is away.
/// </summary>
/// <typeparam name="TChange">What a notification announces.</typeparam>
public abstract partial class NotificationListener<TChange> : BackgroundService
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    // How long to wait for a notification before proving the connection alive with a query: a
    // connection whose server vanished would otherwise wait forever.
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(5);

    private readonly string _connectionString;
    private readonly string _channel;
    private readonly ILogger _logger;
    private volatile bool _listening;

    /// <param name="contexts">Where the metadata store's connection string comes from.</param>
    /// <param name="channel">The channel to LISTEN on (a plain identifier).</param>
    /// <param name="applicationName">The connection's <c>application_name</c>, shown in <c>pg_stat_activity</c>.</param>
    /// <param name="logger">Where connects, disconnects and unreadable payloads are logged.</param>
    protected NotificationListener(IDbContextFactory<MetadataDbContext> contexts, string channel, string applicationName, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        using var db = contexts.CreateDbContext();
        var connectionString = db.Database.GetConnectionString() ?? throw new InvalidOperationException("The metadata store has no connection string.");

        // Not pooled: a pooled connection is reset (UNLISTEN) when it goes back to the pool, and a
        // LISTEN connection is held for the life of the process anyway.
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            KeepAlive = 5,
            ApplicationName = applicationName,
        }.ConnectionString;
        _channel = channel;
        _logger = logger;
    }

    /// <summary>A change was announced. Raised on the listener's own task; handlers must be quick and not throw.</summary>
    public event Action<TChange>? Changed;

    /// <summary>The listener (re)connected and may have missed changes: drop everything cached.</summary>
    public event Action? Reset;

    /// <summary>True while LISTEN is in effect.</summary>
    public bool IsListening => _listening;

    /// <summary>Reads a notification's payload; false for one that is not of this channel's shape (it is logged and ignored).</summary>
    protected abstract bool TryParse(string payload, out TChange change);

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
                await using (var listen = new NpgsqlCommand($"LISTEN {_channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                _listening = true;
                backoff = MinBackoff;
                LogListening(_logger, _channel);
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
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogDisconnected(_logger, _channel, backoff.TotalMilliseconds, ex.Message);
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
        if (!TryParse(e.Payload, out var change))
        {
            LogBadPayload(_logger, _channel, e.Payload);
            return;
        }

        var handlers = Changed;
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<Action<TChange>>())
        {
            try
            {
                handler(change);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(_logger, _channel, ex);
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
                LogHandlerFailed(_logger, _channel, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for notifications on {Channel}")]
    private static partial void LogListening(ILogger logger, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listener on {Channel} disconnected; reconnecting in {BackoffMs} ms: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, string channel, double backoffMs, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a notification on {Channel} whose payload is not of its shape: {Payload}")]
    private static partial void LogBadPayload(ILogger logger, string channel, string payload);

    [LoggerMessage(Level = LogLevel.Error, Message = "A handler of notifications on {Channel} failed")]
    private static partial void LogHandlerFailed(ILogger logger, string channel, Exception exception);
}
