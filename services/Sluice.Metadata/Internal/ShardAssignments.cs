using System.Linq.Expressions;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Internal;

/// <summary>The one projection of a shard row (with its stream) to a <see cref="ShardAssignment"/>, translated to SQL by EF Core.</summary>
internal static class ShardAssignments
{
    public static readonly Expression<Func<ShardDefinition, ShardAssignment>> Projection = s =>
        new ShardAssignment(s.StreamId, s.ShardIndex, s.LeaderNodeId, s.LeaderEpoch, s.Replicas, s.Stream!.RetentionHours, s.State == ShardState.Closed)
        {
            Isr = s.Isr,
            IsrNodeEpochs = s.IsrNodeEpochs,
            PartitionEpoch = s.PartitionEpoch,
            MinInSyncReplicas = s.Stream!.MinInSyncReplicas,
            DefaultAcks = s.Stream!.DefaultAcks,
            ReplicationFactor = s.Stream!.ReplicationFactor,
            Encryption = s.Stream!.Encryption,
            EncryptedDataKey = s.Stream!.EncryptedDataKey,
        };
}
