using System.Collections.Concurrent;

namespace Sluice.StorageNode.Internal;

/// <summary>
/// Wakes the long-polling fetch of a follower node when a shard it replicates from this leader gets new records.
/// One versioned signal per follower node: a fetch reads the version before it looks for data and waits for a
/// change, so an append between the look and the wait is never missed.
/// </summary>
internal sealed class FetchSignals
{
    private readonly ConcurrentDictionary<string, Signal> _signals = new(StringComparer.Ordinal);

    public long Version(string nodeId) => Get(nodeId).Version;

    /// <summary>Wakes the fetches of every replica in <paramref name="nodeIds"/> except <paramref name="self"/>.</summary>
    public void Notify(string[] nodeIds, string self)
    {
        foreach (var nodeId in nodeIds)
        {
            if (!string.Equals(nodeId, self, StringComparison.Ordinal) && _signals.TryGetValue(nodeId, out var signal))
            {
                signal.Set();
            }
        }
    }

    /// <summary>Completes when the node's signal moves past <paramref name="seenVersion"/>, or after <paramref name="timeout"/>.</summary>
    public Task WaitAsync(string nodeId, long seenVersion, TimeSpan timeout, CancellationToken cancellationToken) =>
        Get(nodeId).WaitAsync(seenVersion, timeout, cancellationToken);

    private Signal Get(string nodeId) => _signals.GetOrAdd(nodeId, static _ => new Signal());

    private sealed class Signal
    {
        private readonly Lock _lock = new();
        private long _version;
        private TaskCompletionSource? _changed;

        public long Version
        {
            get
            {
                lock (_lock)
                {
                    return _version;
                }
            }
        }

        public void Set()
        {
            TaskCompletionSource? changed;
            lock (_lock)
            {
                _version++;
                changed = _changed;
                _changed = null;
            }

            changed?.TrySetResult();
        }

        public async Task WaitAsync(long seenVersion, TimeSpan timeout, CancellationToken cancellationToken)
        {
            Task changed;
            lock (_lock)
            {
                if (_version != seenVersion)
                {
                    return;
                }

                _changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Nothing new within the wait: the fetch answers empty.
            }
        }
    }
}
