using Sluice.Log;

namespace Sluice.StorageNode.Internal;

/// <summary>
/// The idempotent-producer state of one shard this node leads at one leader epoch (Kafka's producer state, KIP-98):
/// per producer, the last <see cref="BatchesPerProducer"/> batches it appended (the highest sequences) and the
/// appends of it in flight.
/// </summary>
/// <remarks>
/// <para>
/// An append whose sequence is kept is a retry: it is answered with the first batch and writes nothing. One whose
/// sequence is older than every kept one cannot be checked (it may have been written long ago) and is refused. Any
/// other is written: sequences number a producer's calls, and a call need not touch every shard, so gaps are normal.
/// A producer sends one call at a time (the SDK's producer does), so a sequence below the kept ones is a stale retry.
/// </para>
/// <para>
/// A batch counts from the moment the log has it durably (<see cref="Complete"/>), before its acks are met: a retry
/// of an acks=all append that timed out waiting for the in-sync replicas finds it and waits for its commit instead of
/// writing it again. While an append is being written, another with the same producer and sequence (a retry racing
/// the original) waits for it. A new leader starts from <see cref="RebuildAsync"/>: every batch carries its producer
/// fields and followers copy batches verbatim, so the tail of any replica's log holds the state.
/// </para>
/// <para>
/// At most <c>maxProducers</c> producers are kept; a new one beyond that evicts the one that wrote least recently
/// (its retries are then written again, as after a rebuild that did not reach back to it).
/// </para>
/// </remarks>
internal sealed class ProducerStateTable(int maxProducers)
{
    /// <summary>Batches kept per producer and shard, as Kafka keeps five in-flight requests' worth.</summary>
    public const int BatchesPerProducer = 5;

    private const int SummaryPageBatches = 1000;

    private readonly Lock _lock = new();
    private readonly Dictionary<long, ProducerState> _producers = [];

    /// <summary>Producers with state here.</summary>
    public int ProducerCount
    {
        get
        {
            lock (_lock)
            {
                return _producers.Count;
            }
        }
    }

    /// <summary>
    /// Rebuilds the state from the last <paramref name="maxBatches"/> batches of <paramref name="log"/> (fewer when the
    /// log has fewer). Only the batch headers are read, and the log cannot be read backwards, so windows growing
    /// twofold are scanned back from the end until they hold enough batches or reach the log start. The log must not
    /// be appended to meanwhile.
    /// </summary>
    public static async ValueTask<ProducerStateTable> RebuildAsync(PartitionLog log, int maxBatches, int maxProducers, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatches);
        var table = new ProducerStateTable(maxProducers);
        var windows = new List<List<BatchSummary>>();
        var found = 0;
        var upTo = log.LogEndOffset;
        // Every batch holds at least one record: the first window holds at most maxBatches batches.
        long span = maxBatches;
        while (found < maxBatches && upTo > log.LogStartOffset)
        {
            var window = await ReadWindowAsync(log, Math.Max(log.LogStartOffset, upTo - span), upTo, cancellationToken);
            if (window.Count == 0)
            {
                break;
            }

            windows.Add(window);
            found += window.Count;
            upTo = window[0].BaseOffset;
            span = Math.Min(span * 2, long.MaxValue / 4);
        }

        var skip = Math.Max(0, found - maxBatches);
        for (var w = windows.Count - 1; w >= 0; w--)
        {
            foreach (var summary in windows[w])
            {
                if (skip > 0)
                {
                    skip--;
                    continue;
                }

                if (summary.ProducerId > 0 && summary.BaseSequence >= 0)
                {
                    table.Load(summary);
                }
            }
        }

        return table;
    }

    /// <summary>
    /// Decides what to do with an append of <paramref name="producerId"/> at <paramref name="sequence"/>, waiting first
    /// while an append with the same producer and sequence is being written. After <see cref="ProducerAppendDecision.Write"/>
    /// the caller owns the sequence until it calls <see cref="Complete"/> (written) or <see cref="Abandon"/> (not written).
    /// </summary>
    public async ValueTask<ProducerAppendCheck> BeginAsync(long producerId, short producerEpoch, int sequence, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task inFlight;
            lock (_lock)
            {
                if (!_producers.TryGetValue(producerId, out var state))
                {
                    EvictIfFull();
                    state = new ProducerState(producerEpoch);
                    _producers.Add(producerId, state);
                }

                if (producerEpoch < state.Epoch)
                {
                    return new ProducerAppendCheck(ProducerAppendDecision.Fenced, CurrentEpoch: state.Epoch);
                }

                if (producerEpoch > state.Epoch)
                {
                    state.StartEpoch(producerEpoch);
                }

                if (state.TryFind(sequence, out var batch))
                {
                    return new ProducerAppendCheck(ProducerAppendDecision.Duplicate, batch);
                }

                if (state.InFlight.TryGetValue(sequence, out var pending))
                {
                    inFlight = pending.Task;
                }
                else if (state.Count > 0 && sequence < state.OldestSequence)
                {
                    return new ProducerAppendCheck(ProducerAppendDecision.TooOld, OldestKept: state.OldestSequence);
                }
                else
                {
                    state.InFlight.Add(sequence, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                    return new ProducerAppendCheck(ProducerAppendDecision.Write);
                }
            }

            await inFlight.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The append <see cref="BeginAsync"/> let through is durably in the log as <paramref name="batch"/>.</summary>
    public void Complete(long producerId, short producerEpoch, ProducerBatchEntry batch)
    {
        lock (_lock)
        {
            if (_producers.TryGetValue(producerId, out var state))
            {
                if (state.Epoch == producerEpoch)
                {
                    state.Add(batch);
                }

                Release(producerId, state, batch.Sequence);
            }
        }
    }

    /// <summary>The append <see cref="BeginAsync"/> let through was not written: a waiting retry may write it.</summary>
    public void Abandon(long producerId, int sequence)
    {
        lock (_lock)
        {
            if (_producers.TryGetValue(producerId, out var state))
            {
                Release(producerId, state, sequence);
            }
        }
    }

    /// <summary>The batches kept for a producer, oldest sequence first.</summary>
    public IReadOnlyList<ProducerBatchEntry> BatchesOf(long producerId)
    {
        lock (_lock)
        {
            return _producers.TryGetValue(producerId, out var state) ? state.Batches.ToArray() : [];
        }
    }

    private static async ValueTask<List<BatchSummary>> ReadWindowAsync(PartitionLog log, long from, long upTo, CancellationToken cancellationToken)
    {
        // The batches that start below upTo, from the one holding `from` on.
        var window = new List<BatchSummary>();
        var next = from;
        while (next < upTo)
        {
            var page = await log.ReadBatchSummariesAsync(next, SummaryPageBatches, cancellationToken);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var summary in page)
            {
                if (summary.BaseOffset >= upTo)
                {
                    return window;
                }

                window.Add(summary);
            }

            next = page[^1].NextOffset;
        }

        return window;
    }

    private void Load(BatchSummary summary)
    {
        if (!_producers.TryGetValue(summary.ProducerId, out var state))
        {
            EvictIfFull();
            state = new ProducerState(summary.ProducerEpoch);
            _producers.Add(summary.ProducerId, state);
        }

        if (summary.ProducerEpoch < state.Epoch)
        {
            return;
        }

        if (summary.ProducerEpoch > state.Epoch)
        {
            state.StartEpoch(summary.ProducerEpoch);
        }

        if (!state.TryFind(summary.BaseSequence, out _))
        {
            state.Add(new ProducerBatchEntry(summary.BaseSequence, summary.BaseOffset, summary.RecordCount, summary.MaxTimestamp));
        }
    }

    private void Release(long producerId, ProducerState state, int sequence)
    {
        if (state.InFlight.Remove(sequence, out var pending))
        {
            pending.TrySetResult();
        }

        if (state.Count == 0 && state.InFlight.Count == 0)
        {
            _producers.Remove(producerId);
        }
    }

    // Rare (only at the bound), so a scan rather than an LRU list on every append.
    private void EvictIfFull()
    {
        if (_producers.Count < maxProducers)
        {
            return;
        }

        long victim = 0;
        var oldest = long.MaxValue;
        foreach (var (producerId, state) in _producers)
        {
            if (state.InFlight.Count == 0 && state.LastOffset < oldest)
            {
                oldest = state.LastOffset;
                victim = producerId;
            }
        }

        if (oldest != long.MaxValue)
        {
            _producers.Remove(victim);
        }
    }

    private sealed class ProducerState(short epoch)
    {
        // Sorted by sequence; at most BatchesPerProducer.
        public List<ProducerBatchEntry> Batches { get; } = new(BatchesPerProducer + 1);

        public Dictionary<int, TaskCompletionSource> InFlight { get; } = [];

        public short Epoch { get; private set; } = epoch;

        public int Count => Batches.Count;

        public int OldestSequence => Batches[0].Sequence;

        /// <summary>Where the producer last wrote (-1 when it has no batch): the eviction order.</summary>
        public long LastOffset { get; private set; } = -1;

        public void StartEpoch(short epoch)
        {
            Epoch = epoch;
            Batches.Clear();
        }

        public bool TryFind(int sequence, out ProducerBatchEntry batch)
        {
            foreach (var kept in Batches)
            {
                if (kept.Sequence == sequence)
                {
                    batch = kept;
                    return true;
                }
            }

            batch = default;
            return false;
        }

        public void Add(ProducerBatchEntry batch)
        {
            var at = Batches.Count;
            while (at > 0 && Batches[at - 1].Sequence > batch.Sequence)
            {
                at--;
            }

            Batches.Insert(at, batch);
            if (Batches.Count > BatchesPerProducer)
            {
                Batches.RemoveAt(0);
            }

            LastOffset = Math.Max(LastOffset, batch.BaseOffset);
        }
    }
}
