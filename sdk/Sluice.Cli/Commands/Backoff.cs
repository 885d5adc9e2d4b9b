namespace Sluice.Cli.Commands;

/// <summary>Exponential backoff with jitter for retriable failures, bounded in retries.</summary>
internal sealed class Backoff
{
    public const int DefaultMaxRetries = 5;
    private static readonly TimeSpan InitialDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    public Backoff(int maxRetries = DefaultMaxRetries)
    {
        MaxRetries = maxRetries;
    }

    public int MaxRetries { get; }

    /// <summary>Retries made since the last <see cref="Reset"/>.</summary>
    public int Retries { get; private set; }

    public bool CanRetry => Retries < MaxRetries;

    /// <summary>Counts a retry and waits before making it.</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        Retries++;
        var exponential = InitialDelay.TotalMilliseconds * Math.Pow(2, Math.Min(Retries - 1, 16));
        var capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        // Between half and the whole delay, so clients that failed together do not retry together.
        var delay = capped * (0.5 + (Random.Shared.NextDouble() * 0.5));
        return Task.Delay(TimeSpan.FromMilliseconds(delay), cancellationToken);
    }

    public void Reset() => Retries = 0;
}
