namespace Sluice.Controller;

/// <summary>
/// What a rebalance planned (<see cref="Moves"/>) and, unless a dry run, started: a move whose shard changed between
/// planning and starting is not started (<see cref="NotStarted"/>) and is planned again by the next rebalance.
/// <see cref="InProgress"/> counts shards still reassigning from an earlier rebalance; while there are any, nothing is
/// planned.
/// </summary>
public sealed record RebalanceOutcome(bool DryRun, IReadOnlyList<RebalanceMove> Moves, IReadOnlyList<RebalanceMove> NotStarted, int InProgress);
