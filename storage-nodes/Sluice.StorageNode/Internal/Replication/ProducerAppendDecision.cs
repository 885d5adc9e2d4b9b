namespace Sluice.StorageNode.Internal;

/// <summary>What the leader does with an idempotent append (see <see cref="ProducerStateTable.BeginAsync"/>).</summary>
internal enum ProducerAppendDecision
{
    /// <summary>Not written yet: write it, then <see cref="ProducerStateTable.Complete"/> or <see cref="ProducerStateTable.Abandon"/>.</summary>
    Write,

    /// <summary>Written already: answer <see cref="ProducerAppendCheck.Batch"/> and write nothing.</summary>
    Duplicate,

    /// <summary>Older than every batch kept for the producer: it may have been written and cannot be checked; refuse it.</summary>
    TooOld,

    /// <summary>The producer's epoch is older than one that has written to the shard; refuse it.</summary>
    Fenced,
}
