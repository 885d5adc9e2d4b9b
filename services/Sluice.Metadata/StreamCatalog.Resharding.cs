using Microsoft.EntityFrameworkCore;
using Sluice.Core;
using Sluice.Metadata.Internal;
using Sluice.Metadata.Model;

namespace Sluice.Metadata;

public sealed partial class StreamCatalog
{
    /// <summary>
    /// Closes and opens shards by <paramref name="plan"/> in one transaction, after moving the stream
    /// from ACTIVE to UPDATING by compare-and-set (a concurrent reshard, or a stream in any other
    /// state, gets <see cref="SluiceErrorCode.ResourceInUse"/>). Each parent that was open is closed
    /// with its leader epoch bumped, which fences appends routed before the change; children are
    /// placed on live nodes as new streams' shards are (all replicas in sync); a shard made and closed by the same plan
    /// (an intermediate of UpdateShardCount) never took a write and is closed sealed, at offset 0.
    /// The stream stays UPDATING until <see cref="CompleteReshardAsync"/>.
    /// </summary>
    /// <param name="plan">
    /// Given the stream with its shards (as of after the compare-and-set) and the next free shard
    /// index, the steps to take; it may throw a <see cref="SluiceException"/> to refuse, which
    /// leaves the stream as it was.
    /// </param>
    public async Task<ReshardResult> ReshardAsync(
        Tenant tenant, string name, Func<StreamDefinition, int, IReadOnlyList<ReshardStep>> plan, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var id = await db.Streams.Where(s => s.TenantId == tenant.Id && s.Name == name).Select(s => (long?)s.Id).SingleOrDefaultAsync(cancellationToken)
            ?? throw new SluiceException(SluiceErrorCode.NotFound, $"Stream {name} under account {tenant.AccountId} not found.");

        // Holds the row lock until commit: a concurrent reshard waits here, then finds UPDATING.
        var claimed = await db.Streams.Where(s => s.Id == id && s.Status == StreamStatus.Active)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, StreamStatus.Updating), cancellationToken);
        if (claimed == 0)
        {
            var status = await db.Streams.Where(s => s.Id == id).Select(s => (StreamStatus?)s.Status).SingleOrDefaultAsync(cancellationToken);
            throw status is null
                ? new SluiceException(SluiceErrorCode.NotFound, $"Stream {name} under account {tenant.AccountId} not found.")
                : NotActive(name, tenant.AccountId, status.Value);
        }

        // Read after the compare-and-set, so a reshard that just finished is seen whole.
        var stream = await db.Streams.Include(s => s.Shards).SingleAsync(s => s.Id == id, cancellationToken);
        stream.Status = StreamStatus.Updating;
        var previousOpen = stream.Shards.Count(s => s.State == ShardState.Open);
        var nextIndex = stream.Shards.Count == 0 ? 0 : stream.Shards.Max(s => s.ShardIndex) + 1;
        var steps = plan(stream, nextIndex);

        var now = timeProvider.GetUtcNow();
        var liveNodes = await LiveNodesAsync(db, now - options.NodeLease, cancellationToken);
        var placement = await CreatePlacerAsync(db, liveNodes, cancellationToken);
        var replicationFactor = Math.Min(stream.ReplicationFactor, liveNodes.Count);
        var byIndex = stream.Shards.ToDictionary(s => s.ShardIndex);
        var made = new HashSet<int>();
        var closed = new List<ShardDefinition>();
        foreach (var step in steps)
        {
            Close(step.Parent.Index);
            if (step.AdjacentParent is { } adjacent)
            {
                Close(adjacent.Index);
            }

            foreach (var child in step.Children)
            {
                var replicas = placement.Place(replicationFactor);
                var shard = new ShardDefinition
                {
                    StreamId = stream.Id,
                    ShardIndex = child.Index,
                    StartingHashKey = HashKey.Format(child.Range.Start),
                    EndingHashKey = HashKey.Format(child.Range.End),
                    ParentShardIndex = step.Parent.Index,
                    AdjacentParentShardIndex = step.AdjacentParent?.Index,
                    State = ShardState.Open,
                    Replicas = replicas,
                    Isr = replicas,
                    IsrNodeEpochs = NodeEpochs(liveNodes, replicas),
                    LeaderNodeId = replicas[0],
                    LeaderEpoch = 1,
                    PartitionEpoch = 1,
                    CreatedAt = now,
                };
                stream.Shards.Add(shard);
                byIndex.Add(child.Index, shard);
                made.Add(child.Index);
            }
        }

        stream.ShardCount = stream.Shards.Count(s => s.State == ShardState.Open);
        if (stream.ShardCount > options.MaxShardsPerStream)
        {
            throw new SluiceException(SluiceErrorCode.LimitExceeded,
                $"Stream {name} under account {tenant.AccountId} would have {stream.ShardCount} open shards, over the limit of {options.MaxShardsPerStream} shards per stream.");
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        stream.Shards.Sort((a, b) => a.ShardIndex.CompareTo(b.ShardIndex));
        return new ReshardResult(stream, closed, [.. stream.Shards.Where(s => made.Contains(s.ShardIndex))], previousOpen);

        void Close(int index)
        {
            if (!byIndex.TryGetValue(index, out var shard) || shard.State != ShardState.Open)
            {
                throw new InvalidOperationException($"The reshard plan closes shard {index}, which is not an open shard of stream {name}.");
            }

            shard.State = ShardState.Closed;
            if (made.Contains(index))
            {
                shard.EndingOffset = 0;
                return;
            }

            // Fences appends routed at the old epoch: the leader refuses them once it re-reads this.
            shard.LeaderEpoch++;
            shard.PartitionEpoch++;
            closed.Add(shard);
        }
    }

    /// <summary>Records where a closed shard's log ends, once its leader confirmed it; a shard sealed already keeps its first answer.</summary>
    public async Task RecordEndingOffsetAsync(long streamId, int shardIndex, long endingOffset, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(endingOffset);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Shards
            .Where(s => s.StreamId == streamId && s.ShardIndex == shardIndex && s.State == ShardState.Closed && s.EndingOffset == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.EndingOffset, endingOffset), cancellationToken);
    }

    /// <summary>Ends a reshard: the stream goes from UPDATING back to ACTIVE.</summary>
    public async Task CompleteReshardAsync(long streamId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Streams.Where(s => s.Id == streamId && s.Status == StreamStatus.Updating)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, StreamStatus.Active), cancellationToken);
    }

    /// <summary>Kinesis' answer for a stream that cannot change now.</summary>
    public static SluiceException NotActive(string name, string accountId, StreamStatus status) =>
        new(SluiceErrorCode.ResourceInUse, $"Stream {name} under account {accountId} not ACTIVE, instead in state {status.ToString().ToUpperInvariant()}");
}
