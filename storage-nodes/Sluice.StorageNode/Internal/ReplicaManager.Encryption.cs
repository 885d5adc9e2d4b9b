using Sluice.Log;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.StorageNode.Internal;

internal sealed partial class ReplicaManager
{
    /// <summary>
    /// Gives a shard's log the keys its assignment calls for (cheap when nothing changed: the key ring hands out the
    /// same value). For an append to a stream whose encryption is on but whose key this node cannot have, refuses
    /// rather than write the records in plain.
    /// </summary>
    private void ApplyEncryption(PartitionLog log, ShardAssignment assignment, bool forAppend)
    {
        var encryption = keyRing.For(assignment, out var problem);
        if (!ReferenceEquals(log.Encryption, encryption))
        {
            log.Encryption = encryption;
        }

        if (forAppend && problem is not null && assignment.Encryption == StreamEncryption.Kms)
        {
            throw StorageErrors.Unavailable($"Shard {LogName(assignment.StreamId, assignment.ShardIndex)} must be encrypted and cannot be here: {problem}.");
        }
    }

    /// <summary>
    /// The leader of a shard after re-reading its assignment from PostgreSQL: for an append whose gateway knows the
    /// stream's encryption differently from this node (it was just started or stopped), so that every append after
    /// StartStreamEncryption answered is sealed even before the change notification arrives.
    /// </summary>
    public async ValueTask<LeaderReplica> RefreshLeaderAsync(long streamId, int shardIndex, int leaderEpoch, CancellationToken cancellationToken)
    {
        _assignments.TryGetValue((streamId, shardIndex), out var cached);
        await FetchAsync(streamId, shardIndex, cached, cancellationToken);
        return await GetLeaderAsync(streamId, shardIndex, leaderEpoch, cancellationToken, forAppend: true);
    }

    /// <summary>Whether appends to the shard are sealed now, as this node knows it.</summary>
    public bool IsEncrypting(long streamId, int shardIndex) =>
        _assignments.TryGetValue((streamId, shardIndex), out var cached) && cached.Assignment.Encryption == StreamEncryption.Kms;
}
