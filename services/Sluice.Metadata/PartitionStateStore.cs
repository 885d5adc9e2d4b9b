using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Sluice.Metadata.Internal;

namespace Sluice.Metadata;

/// <summary>
/// Changes a shard's partition state (leader, leader epoch, ISR) by compare-and-set on what the
/// caller last read. Every successful change bumps the partition epoch and, in the same
/// transaction, announces itself on the <see cref="Channel"/> channel (<c>pg_notify</c>, delivered at
/// commit), so gateways and storage nodes re-read the shard at once.
/// </summary>
public sealed class PartitionStateStore(IDbContextFactory<MetadataDbContext> contexts)
{
    /// <summary>The LISTEN/NOTIFY channel of shard changes; payloads are <see cref="ShardChange.ToPayload"/>.</summary>
    public const string Channel = "sluice_shards";

    /// <summary>
    /// The leader changes the shard's ISR (shrink or expand) to <paramref name="newIsr"/>, which must
    /// hold the leader itself and only nodes with a replica of the shard. Succeeds only while the
    /// shard still has this leader, leader epoch and partition epoch.
    /// </summary>
    /// <returns>The new assignment; null when the compare-and-set failed (the caller re-reads; a leader whose change failed steps down).</returns>
    public Task<ShardAssignment?> TryChangeIsrAsync(
        long streamId, int shardIndex, string leaderNodeId, int leaderEpoch, int partitionEpoch, IReadOnlyList<IsrMember> newIsr,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaderNodeId);
        ValidateIsr(newIsr, leaderNodeId);
        return ChangeAsync(streamId, shardIndex, leaderNodeId, leaderEpoch, partitionEpoch, leaderNodeId, leaderEpoch, newIsr, cancellationToken);
    }

    /// <summary>
    /// The controller makes <paramref name="newLeaderNodeId"/> the shard's leader (null: the shard is
    /// offline) with the next leader epoch, which fences the old leader, and <paramref name="newIsr"/>.
    /// Succeeds only while the shard still has the expected leader (null matches an offline shard),
    /// leader epoch and partition epoch.
    /// </summary>
    /// <returns>The new assignment; null when the compare-and-set failed.</returns>
    public Task<ShardAssignment?> TryElectLeaderAsync(
        long streamId, int shardIndex, string? expectedLeaderNodeId, int expectedLeaderEpoch, int expectedPartitionEpoch,
        string? newLeaderNodeId, IReadOnlyList<IsrMember> newIsr, CancellationToken cancellationToken = default)
    {
        ValidateIsr(newIsr, newLeaderNodeId);
        return ChangeAsync(streamId, shardIndex, expectedLeaderNodeId, expectedLeaderEpoch, expectedPartitionEpoch,
            newLeaderNodeId, checked(expectedLeaderEpoch + 1), newIsr, cancellationToken);
    }

    private static void ValidateIsr(IReadOnlyList<IsrMember> isr, string? leader)
    {
        ArgumentNullException.ThrowIfNull(isr);
        if (isr.Count == 0)
        {
            throw new ArgumentException("An ISR is never empty.", nameof(isr));
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in isr)
        {
            ArgumentException.ThrowIfNullOrEmpty(member.NodeId, nameof(isr));
            if (!ids.Add(member.NodeId))
            {
                throw new ArgumentException($"Node {member.NodeId} is in the ISR twice.", nameof(isr));
            }
        }

        if (leader is not null && !ids.Contains(leader))
        {
            throw new ArgumentException($"The leader {leader} must be in the ISR.", nameof(isr));
        }
    }

    private async Task<ShardAssignment?> ChangeAsync(
        long streamId, int shardIndex, string? expectedLeader, int expectedLeaderEpoch, int expectedPartitionEpoch,
        string? newLeader, int newLeaderEpoch, IReadOnlyList<IsrMember> newIsr, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // `isr <@ replicas`: a node without a replica can never be in sync. A change refused for
        // that reason reads as a failed compare-and-set, as it is one on the replica set.
        var updated = await db.Database.ExecuteSqlRawAsync(
            """
            UPDATE shards
               SET leader_node_id = @new_leader, leader_epoch = @new_leader_epoch,
                   isr = @isr, isr_node_epochs = @isr_node_epochs, partition_epoch = partition_epoch + 1
             WHERE stream_id = @stream_id AND shard_index = @shard_index
               AND leader_node_id IS NOT DISTINCT FROM @expected_leader
               AND leader_epoch = @expected_leader_epoch AND partition_epoch = @expected_partition_epoch
               AND @isr <@ replicas
            """,
            [
                new NpgsqlParameter("new_leader", NpgsqlDbType.Text) { Value = (object?)newLeader ?? DBNull.Value },
                new NpgsqlParameter("new_leader_epoch", NpgsqlDbType.Integer) { Value = newLeaderEpoch },
                new NpgsqlParameter("isr", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = newIsr.Select(m => m.NodeId).ToArray() },
                new NpgsqlParameter("isr_node_epochs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = newIsr.Select(m => m.NodeEpoch).ToArray() },
                new NpgsqlParameter("stream_id", NpgsqlDbType.Bigint) { Value = streamId },
                new NpgsqlParameter("shard_index", NpgsqlDbType.Integer) { Value = shardIndex },
                new NpgsqlParameter("expected_leader", NpgsqlDbType.Text) { Value = (object?)expectedLeader ?? DBNull.Value },
                new NpgsqlParameter("expected_leader_epoch", NpgsqlDbType.Integer) { Value = expectedLeaderEpoch },
                new NpgsqlParameter("expected_partition_epoch", NpgsqlDbType.Integer) { Value = expectedPartitionEpoch },
            ],
            cancellationToken);
        return updated == 0 ? null : await AnnounceAsync(db, transaction, streamId, shardIndex, cancellationToken);
    }

    /// <summary>
    /// Starts moving a shard to <paramref name="targetReplicas"/> (its intended leader first): the new
    /// replicas join <see cref="Model.ShardDefinition.Replicas"/> after the current ones, so their nodes
    /// start following and catching up while writes go on, and the target is kept in
    /// <see cref="Model.ShardDefinition.TargetReplicas"/> for the controller to complete. Succeeds only
    /// while the shard has the expected replicas and partition epoch and no reassignment under way.
    /// </summary>
    /// <returns>The new assignment; null when the compare-and-set failed.</returns>
    public async Task<ShardAssignment?> TryStartReassignmentAsync(
        long streamId, int shardIndex, int expectedPartitionEpoch, IReadOnlyList<string> expectedReplicas, IReadOnlyList<string> targetReplicas,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expectedReplicas);
        ValidateReplicas(targetReplicas);
        var replicas = expectedReplicas.Concat(targetReplicas.Where(t => !expectedReplicas.Contains(t, StringComparer.Ordinal))).ToArray();

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var updated = await db.Database.ExecuteSqlRawAsync(
            """
            UPDATE shards
               SET replicas = @replicas, target_replicas = @target, partition_epoch = partition_epoch + 1
             WHERE stream_id = @stream_id AND shard_index = @shard_index
               AND partition_epoch = @expected_partition_epoch AND replicas = @expected_replicas
               AND target_replicas IS NULL
            """,
            [
                new NpgsqlParameter("replicas", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = replicas },
                new NpgsqlParameter("target", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = targetReplicas.ToArray() },
                new NpgsqlParameter("stream_id", NpgsqlDbType.Bigint) { Value = streamId },
                new NpgsqlParameter("shard_index", NpgsqlDbType.Integer) { Value = shardIndex },
                new NpgsqlParameter("expected_partition_epoch", NpgsqlDbType.Integer) { Value = expectedPartitionEpoch },
                new NpgsqlParameter("expected_replicas", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = expectedReplicas.ToArray() },
            ],
            cancellationToken);
        return updated == 0 ? null : await AnnounceAsync(db, transaction, streamId, shardIndex, cancellationToken);
    }

    /// <summary>
    /// The controller completes a shard's reassignment: <paramref name="newReplicas"/> (the target) becomes
    /// the replica set and <paramref name="newIsr"/> (the ISR without the removed replicas; it must hold the
    /// leader) the ISR, and the target is cleared. The leader and leader epoch stay. Succeeds only while the
    /// shard still has this leader, leader epoch, partition epoch and target.
    /// </summary>
    /// <returns>The new assignment; null when the compare-and-set failed.</returns>
    public async Task<ShardAssignment?> TryCompleteReassignmentAsync(
        long streamId, int shardIndex, string leaderNodeId, int leaderEpoch, int partitionEpoch,
        IReadOnlyList<string> newReplicas, IReadOnlyList<IsrMember> newIsr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaderNodeId);
        ValidateReplicas(newReplicas);
        ValidateIsr(newIsr, leaderNodeId);
        if (newIsr.Any(m => !newReplicas.Contains(m.NodeId, StringComparer.Ordinal)))
        {
            throw new ArgumentException("Every ISR member must be one of the new replicas.", nameof(newIsr));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var updated = await db.Database.ExecuteSqlRawAsync(
            """
            UPDATE shards
               SET replicas = @replicas, isr = @isr, isr_node_epochs = @isr_node_epochs,
                   target_replicas = NULL, partition_epoch = partition_epoch + 1
             WHERE stream_id = @stream_id AND shard_index = @shard_index
               AND leader_node_id = @leader AND leader_epoch = @leader_epoch AND partition_epoch = @partition_epoch
               AND target_replicas = @replicas
            """,
            [
                new NpgsqlParameter("replicas", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = newReplicas.ToArray() },
                new NpgsqlParameter("isr", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = newIsr.Select(m => m.NodeId).ToArray() },
                new NpgsqlParameter("isr_node_epochs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = newIsr.Select(m => m.NodeEpoch).ToArray() },
                new NpgsqlParameter("stream_id", NpgsqlDbType.Bigint) { Value = streamId },
                new NpgsqlParameter("shard_index", NpgsqlDbType.Integer) { Value = shardIndex },
                new NpgsqlParameter("leader", NpgsqlDbType.Text) { Value = leaderNodeId },
                new NpgsqlParameter("leader_epoch", NpgsqlDbType.Integer) { Value = leaderEpoch },
                new NpgsqlParameter("partition_epoch", NpgsqlDbType.Integer) { Value = partitionEpoch },
            ],
            cancellationToken);
        return updated == 0 ? null : await AnnounceAsync(db, transaction, streamId, shardIndex, cancellationToken);
    }

    private static void ValidateReplicas(IReadOnlyList<string> replicas)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        if (replicas.Count == 0)
        {
            throw new ArgumentException("A shard always has a replica.", nameof(replicas));
        }

        if (replicas.Any(string.IsNullOrEmpty) || replicas.Distinct(StringComparer.Ordinal).Count() != replicas.Count)
        {
            throw new ArgumentException("Replicas are distinct node ids.", nameof(replicas));
        }
    }

    /// <summary>Announces the change just made (delivered at commit), reads the new assignment and commits.</summary>
    private static async Task<ShardAssignment> AnnounceAsync(
        MetadataDbContext db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, long streamId, int shardIndex, CancellationToken cancellationToken)
    {
        var assignment = await db.Shards.AsNoTracking()
            .Where(s => s.StreamId == streamId && s.ShardIndex == shardIndex)
            .Select(ShardAssignments.Projection)
            .SingleAsync(cancellationToken);
        var change = new ShardChange(streamId, shardIndex, assignment.LeaderEpoch, assignment.PartitionEpoch);
        await db.Database.ExecuteSqlRawAsync(
            "SELECT pg_notify(@channel, @payload)",
            [
                new NpgsqlParameter("channel", NpgsqlDbType.Text) { Value = Channel },
                new NpgsqlParameter("payload", NpgsqlDbType.Text) { Value = change.ToPayload() },
            ],
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return assignment;
    }
}
