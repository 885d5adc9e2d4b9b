namespace Sluice.Cli.Commands.Bench;

/// <summary>Sends a producer's batches, reusing its buffers from one batch to the next.</summary>
internal interface IBenchSender : IDisposable
{
    /// <summary>
    /// Sends one batch whose records carry <paramref name="timestamp"/> in their first 8 bytes;
    /// returns how many records were acknowledged. Never called again before the previous call
    /// completed, which is what makes reusing the buffers safe.
    /// </summary>
    Task<int> SendAsync(long timestamp, CancellationToken cancellationToken);
}
