namespace Sluice.Cli.Commands.Bench;

/// <summary>Running totals across producers for the progress line and the consumers' drain, warm-up included.</summary>
internal sealed class BenchCounters
{
    private long _acked;
    private long _failed;
    private string? _firstError;

    public long Acked => Volatile.Read(ref _acked);

    public long Failed => Volatile.Read(ref _failed);

    public string? FirstError => Volatile.Read(ref _firstError);

    public void AddBatch(int acked, int failed)
    {
        Interlocked.Add(ref _acked, acked);
        if (failed > 0)
        {
            Interlocked.Add(ref _failed, failed);
        }
    }

    public void SetError(string message) => Interlocked.CompareExchange(ref _firstError, message, null);
}
