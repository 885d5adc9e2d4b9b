using Microsoft.Extensions.Options;
using Sluice.Metadata;

namespace Sluice.Gateway.Kinesis.Consumers;

/// <summary>
/// Moves consumers along CREATING → ACTIVE and DELETING → gone in PostgreSQL once their delays
/// have passed. Every gateway runs it (the changes are idempotent): a gateway wakes at once for the
/// consumers it registered or deregistered itself, and sweeps every <see cref="SweepInterval"/>
/// for any others (a gateway that stopped before their time).
/// </summary>
internal sealed partial class ConsumerLifecycle(
    ConsumerCatalog catalog, IOptions<KinesisOptions> options, TimeProvider time, ILogger<ConsumerLifecycle> logger) : BackgroundService
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    // Clocks of gateways differ a little: a change "due" already but not made yet is retried soon, not in a spin.
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(50);

    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Asks for a pass now; the pass finds when the next change is due.</summary>
    public void Wake() => _wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = SweepInterval;
            try
            {
                // Drain the wake-ups this pass answers.
                while (_wake.CurrentCount > 0 && _wake.Wait(TimeSpan.Zero, CancellationToken.None))
                {
                }

                if (await catalog.AdvanceLifecycleAsync(settings.ConsumerActivationDelay, settings.ConsumerDeletionDelay, stoppingToken) is { } due)
                {
                    var untilDue = due - time.GetUtcNow();
                    wait = untilDue < MinimumWait ? MinimumWait : untilDue < wait ? untilDue : wait;
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogPassFailed(logger, ex);
            }

            try
            {
                await _wake.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer lifecycle pass failed; retrying")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
