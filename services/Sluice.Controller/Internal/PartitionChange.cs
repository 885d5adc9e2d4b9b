using Sluice.Metadata;

namespace Sluice.Controller.Internal;

/// <summary>One change the controller decided for a shard, as of <see cref="Shard"/> (the compare-and-set's expectation).</summary>
internal sealed record PartitionChange(PartitionView Shard, ChangeKind Kind, string? NewLeader, IsrMember[] NewIsr, string Reason);
