using Sluice.Metadata;

namespace Sluice.Controller.Internal;

/// <summary>One reassignment step the controller decided for a shard, as of <see cref="Shard"/> (the compare-and-set's expectation).</summary>
internal sealed record ReassignmentStep(PartitionView Shard, ReassignmentStepKind Kind, string NewLeader, string[] NewReplicas, IsrMember[] NewIsr, string Reason);
