namespace Sluice.StorageNode.Internal;

/// <summary>The answer of <see cref="ProducerStateTable.BeginAsync"/>.</summary>
/// <param name="Decision">What to do with the append.</param>
/// <param name="Batch">For <see cref="ProducerAppendDecision.Duplicate"/>: the batch written the first time.</param>
/// <param name="OldestKept">For <see cref="ProducerAppendDecision.TooOld"/>: the oldest sequence kept for the producer.</param>
/// <param name="CurrentEpoch">For <see cref="ProducerAppendDecision.Fenced"/>: the producer epoch the shard has seen.</param>
internal readonly record struct ProducerAppendCheck(ProducerAppendDecision Decision, ProducerBatchEntry Batch = default, int OldestKept = 0, short CurrentEpoch = 0);
