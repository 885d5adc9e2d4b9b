using Microsoft.Extensions.Options;

namespace Sluice.Gateway.Streams;

/// <summary>
/// Every gateway's sweep for streams whose transition nobody is finishing: created or deleted
/// through a gateway that died, or waiting for a storage node to come back. Runs at start and then
/// every <see cref="StreamLifecycleOptions.SweepInterval"/>.
/// </summary>
internal sealed partial class StreamLifecycleService(
    StreamLifecycle lifecycle,
    IOptions<StreamLifecycleOptions> options,
    TimeProvider timeProvider,
    ILogger<StreamLifecycleService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, timeProvider);
        var failing = false;
        do
        {
            try
            {
                await lifecycle.SweepAsync(stoppingToken);
                failing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // PostgreSQL down: say so once, not every second until it is back.
                if (failing)
                {
                    LogSweepFailedAgain(logger, ex.Message);
                }
                else
                {
                    LogSweepFailed(logger, ex.Message);
                }

                failing = true;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream lifecycle sweep failed, will retry: {Reason}")]
    private static partial void LogSweepFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stream lifecycle sweep failed again: {Reason}")]
    private static partial void LogSweepFailedAgain(ILogger logger, string reason);
}
