using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sluice.Core;
using Sluice.Metadata.Internal;
using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>
/// Creates, finds, lists and deletes streams. Every query is scoped by tenant: a stream of another
/// tenant is indistinguishable from a missing one. A stream is stored CREATING and becomes ACTIVE
/// once its storage nodes have prepared its shards; deletion marks it DELETING until they have
/// removed them (<c>StreamCatalog.Lifecycle.cs</c>).
/// </summary>
public sealed partial class StreamCatalog(IDbContextFactory<MetadataDbContext> contexts, CatalogOptions options, TimeProvider timeProvider)
{
    /// <summary>The most streams one ListStreams page returns.</summary>
    public const int MaxListLimit = 1000;

    /// <summary>
    /// Validates the request, places the shards on live storage nodes and stores the stream as
    /// CREATING: it becomes ACTIVE once every shard's leader has prepared its log (<see cref="TryActivateAsync"/>).
    /// Every shard starts with all its replicas in sync, each at its node's current epoch.
    /// </summary>
    /// <param name="replicationFactor">Replicas per shard, 1 up to the live node count; null for <see cref="CatalogOptions.DefaultReplicationFactor"/> (capped by the live node count).</param>
    /// <param name="minInSyncReplicas">1 up to the replication factor; null for <see cref="CatalogOptions.DefaultMinInSyncReplicas"/> (capped by the replication factor).</param>
    /// <param name="defaultAcks">The acknowledgement mode of writes that name none; null for <see cref="AckMode.All"/>.</param>
    public async Task<StreamDefinition> CreateAsync(
        Tenant tenant,
        string name,
        int shardCount,
        int retentionHours,
        StreamMode mode = StreamMode.Provisioned,
        IReadOnlyDictionary<string, string>? tags = null,
        int? replicationFactor = null,
        int? minInSyncReplicas = null,
        AckMode? defaultAcks = null,
        CancellationToken cancellationToken = default)
    {
        if (RecordRules.ValidateStreamName(name) is { } nameError)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, nameError);
        }

        if (shardCount < 1 || shardCount > options.MaxShardsPerStream)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument,
                $"Shard count {shardCount} is out of range: it must be between 1 and {options.MaxShardsPerStream}.");
        }

        if (retentionHours == 0)
        {
            retentionHours = Limits.DefaultRetentionHours;
        }

        if (retentionHours < Limits.MinRetentionHours || retentionHours > Limits.MaxRetentionHours)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument,
                $"Retention period {retentionHours} hours is out of range: it must be between {Limits.MinRetentionHours} and {Limits.MaxRetentionHours} hours.");
        }

        if (replicationFactor is < 1)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument,
                $"Replication factor {replicationFactor} is out of range: it must be at least 1.");
        }

        if (minInSyncReplicas is < 1)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument,
                $"Min in-sync replicas {minInSyncReplicas} is out of range: it must be at least 1.");
        }

        if (defaultAcks is { } acks && !Enum.IsDefined(acks))
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, $"Acks {acks} is not one of all, leader or none.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        var cutoff = now - options.NodeLease;
        var liveNodes = await LiveNodesAsync(db, cutoff, cancellationToken);

        if (replicationFactor > liveNodes.Count)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument,
                $"Replication factor {replicationFactor} is more than the {liveNodes.Count} live storage node(s): it must be between 1 and {liveNodes.Count}.");
        }

        var factor = replicationFactor ?? Math.Min(options.DefaultReplicationFactor, liveNodes.Count);
        if (minInSyncReplicas > factor)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument,
                $"Min in-sync replicas {minInSyncReplicas} is out of range: it must be between 1 and the replication factor {factor}.");
        }

        var placement = await CreatePlacerAsync(db, liveNodes, cancellationToken);
        var ranges = HashKeyRange.Split(shardCount);
        var stream = new StreamDefinition
        {
            TenantId = tenant.Id,
            Name = name,
            Status = StreamStatus.Creating,
            ShardCount = shardCount,
            RetentionHours = retentionHours,
            ReplicationFactor = factor,
            MinInSyncReplicas = minInSyncReplicas ?? Math.Min(options.DefaultMinInSyncReplicas, factor),
            DefaultAcks = defaultAcks ?? AckMode.All,
            CreatedAt = now,
            Mode = mode,
            Tags = tags is null ? new(StringComparer.Ordinal) : new(tags, StringComparer.Ordinal),
        };
        for (var i = 0; i < shardCount; i++)
        {
            var replicas = placement.Place(factor);
            stream.Shards.Add(new ShardDefinition
            {
                ShardIndex = i,
                StartingHashKey = HashKey.Format(ranges[i].Start),
                EndingHashKey = HashKey.Format(ranges[i].End),
                State = ShardState.Open,
                Replicas = replicas,
                Isr = replicas,
                IsrNodeEpochs = NodeEpochs(liveNodes, replicas),
                LeaderNodeId = replicas[0],
                LeaderEpoch = 1,
                PartitionEpoch = 1,
                CreatedAt = now,
            });
        }

        db.Streams.Add(stream);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw await NameTakenAsync(tenant, name, cancellationToken);
        }

        return stream;
    }

    private static async Task<List<StorageNodeRecord>> LiveNodesAsync(MetadataDbContext db, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var liveNodes = await db.StorageNodes.AsNoTracking()
            .Where(n => n.HeartbeatAt > cutoff)
            .ToListAsync(cancellationToken);
        if (liveNodes.Count == 0)
        {
            throw new SluiceException(SluiceErrorCode.Unavailable, "No storage node is available to place the stream's shards; retry later.");
        }

        return liveNodes;
    }

    /// <summary>The current node epoch of each of <paramref name="replicas"/> (all live), in order: a new shard's ISR epochs.</summary>
    private static long[] NodeEpochs(List<StorageNodeRecord> liveNodes, string[] replicas) =>
        [.. replicas.Select(r => liveNodes.First(n => n.Id == r).NodeEpoch)];

    /// <summary>Places new shards on <paramref name="liveNodes"/>, counting the open shards each already leads.</summary>
    private static async Task<ShardPlacer> CreatePlacerAsync(MetadataDbContext db, List<StorageNodeRecord> liveNodes, CancellationToken cancellationToken)
    {
        var leaderLoad = await db.Shards.AsNoTracking()
            .Where(s => s.State == ShardState.Open && s.LeaderNodeId != null)
            .GroupBy(s => s.LeaderNodeId!)
            .Select(g => new { NodeId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.NodeId, x => x.Count, cancellationToken);
        return new ShardPlacer([.. liveNodes.Select(n => new PlacementNode(n.Id, n.Rack))], leaderLoad);
    }

    /// <summary>The tenant's stream with its shards, or null.</summary>
    public async Task<StreamDefinition?> FindAsync(Guid tenantId, string name, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Streams.AsNoTracking()
            .Include(s => s.Shards.OrderBy(x => x.ShardIndex))
            .SingleOrDefaultAsync(s => s.TenantId == tenantId && s.Name == name, cancellationToken);
    }

    /// <summary>One page of the tenant's streams in ordinal name order, after <paramref name="exclusiveStartName"/>.</summary>
    public async Task<(IReadOnlyList<StreamDefinition> Streams, bool HasMore)> ListAsync(
        Guid tenantId, string? exclusiveStartName, int limit, CancellationToken cancellationToken = default)
    {
        if (limit < 1 || limit > MaxListLimit)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, $"Limit {limit} is out of range: it must be between 1 and {MaxListLimit}.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Streams.AsNoTracking().Where(s => s.TenantId == tenantId);
        if (!string.IsNullOrEmpty(exclusiveStartName))
        {
            // "C" collation compare, so paging matches the ordinal order below.
            query = query.Where(s => string.Compare(EF.Functions.Collate(s.Name, "C"), exclusiveStartName) > 0);
        }

        var page = await query.OrderBy(s => EF.Functions.Collate(s.Name, "C")).Take(limit + 1).ToListAsync(cancellationToken);
        var hasMore = page.Count > limit;
        if (hasMore)
        {
            page.RemoveAt(page.Count - 1);
        }

        return (page, hasMore);
    }

    /// <summary>
    /// Changes the tenant's stream with <paramref name="change"/> (which may throw to refuse) and
    /// saves it; false when there is no such stream. Shards are not loaded.
    /// </summary>
    public async Task<bool> UpdateAsync(Guid tenantId, string name, Action<StreamDefinition> change, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var stream = await db.Streams.SingleOrDefaultAsync(s => s.TenantId == tenantId && s.Name == name, cancellationToken);
        if (stream is null)
        {
            return false;
        }

        change(stream);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Open shards over all of the tenant's streams, and its on-demand streams (DescribeLimits).</summary>
    public async Task<(int OpenShards, int OnDemandStreams)> CountAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var openShards = await db.Shards.CountAsync(s => s.Stream!.TenantId == tenantId && s.State == ShardState.Open, cancellationToken);
        var onDemand = await db.Streams.CountAsync(s => s.TenantId == tenantId && s.Mode == StreamMode.OnDemand, cancellationToken);
        return (openShards, onDemand);
    }

    /// <summary>A shard's placement and its stream's retention, for storage nodes; null when the shard does not exist.</summary>
    public async Task<ShardAssignment?> FindShardAsync(long streamId, int shardIndex, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Shards.AsNoTracking()
            .Where(s => s.StreamId == streamId && s.ShardIndex == shardIndex)
            .Select(ShardAssignments.Projection)
            .SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>Every shard replica placed on <paramref name="nodeId"/>.</summary>
    public async Task<IReadOnlyList<ShardAssignment>> ListAssignmentsAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Shards.AsNoTracking()
            .Where(s => s.Replicas.Contains(nodeId))
            .Select(ShardAssignments.Projection)
            .ToListAsync(cancellationToken);
    }
}
