namespace Sluice.StorageNode.Internal;

/// <summary>
/// Counts the appends to one shard between their assignment check and their commit, so sealing a
/// closed shard can wait until every append that passed the check is durable: an append enters
/// before it reads the assignment, so once a seal has published the closed assignment, any append
/// it does not wait for reads that assignment and is refused.
/// </summary>
internal sealed class ShardWriteGate
{
    private readonly Lock _lock = new();
    private int _writers;
    private TaskCompletionSource? _drained;

    public void Enter()
    {
        lock (_lock)
        {
            _writers++;
        }
    }

    public void Exit()
    {
        TaskCompletionSource? drained = null;
        lock (_lock)
        {
            if (--_writers == 0)
            {
                drained = _drained;
                _drained = null;
            }
        }

        drained?.TrySetResult();
    }

    /// <summary>Completes when no append that entered before this call is still running.</summary>
    public Task WaitForWritersAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_writers == 0)
            {
                return Task.CompletedTask;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task.WaitAsync(cancellationToken);
        }
    }
}
