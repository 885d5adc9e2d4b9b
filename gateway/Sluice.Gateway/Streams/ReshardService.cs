using System.Globalization;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Gateway.Kinesis;
using Sluice.Gateway.Routing;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Streams;

/// <summary>
/// Resharding for every face (Kinesis SplitShard, MergeShards, UpdateShardCount; REST; gRPC):
/// validates as Kinesis does, closes the parents and opens the children in one PostgreSQL
/// transaction (<see cref="StreamCatalog.ReshardAsync"/>), has each closed parent's leader seal
/// it, records where each parent ends, and sets the stream back to ACTIVE.
/// </summary>
/// <remarks>
/// One reshard of a stream at a time: the caller holds the stream's reshard lock (a PostgreSQL
/// session advisory lock) from before the transaction until the stream is ACTIVE again, and the
/// transaction moves ACTIVE to UPDATING by compare-and-set. A stream found UPDATING by whoever
/// gets the lock was left so by a gateway that died mid-reshard, and is set right then.
/// A parent whose leader cannot be reached keeps no recorded end: its leader refuses appends as
/// soon as it re-reads the assignment (on its next refresh or restart), and the seal is retried
/// before the stream's next reshard and by the first reader that reaches the parent's end, so the
/// stream never hands readers on to the children before the parent's records are all readable.
/// </remarks>
public sealed partial class ReshardService(
    StreamCatalog catalog, StreamRouter router, ShardSealer sealer, IOptions<KinesisOptions> kinesis, ILogger<ReshardService> logger)
{
    /// <summary>Splits an open shard in two at <paramref name="newStartingHashKey"/>, the first hash key of the upper child.</summary>
    public async Task<ReshardOutcome> SplitAsync(Tenant tenant, string name, string shardToSplit, string newStartingHashKey, CancellationToken cancellationToken = default)
    {
        if (!HashKey.TryParse(newStartingHashKey, out var at))
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument,
                $"NewStartingHashKey {newStartingHashKey} is not a decimal integer between 0 and 2^128 - 1.");
        }

        var found = await PrecheckAsync(tenant, name, addedShards: 1, cancellationToken);
        return await RunAsync(tenant, found, (stream, next) =>
        {
            var shard = FindOpen(stream, shardToSplit, tenant);
            var range = RangeOf(shard);
            if (at <= range.Start + 1 || at >= range.End)
            {
                throw new SluiceException(SluiceErrorCode.InvalidArgument,
                    $"NewStartingHashKey {newStartingHashKey} used in SplitShard() on shard {ShardId.Format(shard.ShardIndex)} in stream {name} under account {tenant.AccountId} "
                    + $"is not both greater than one plus the shard's StartingHashKey {shard.StartingHashKey} and less than the shard's EndingHashKey {shard.EndingHashKey}.");
            }

            return [ReshardStep.Split(new PlannedShard(shard.ShardIndex, range), at, next)];
        }, cancellationToken);
    }

    /// <summary>Merges two open shards whose hash-key ranges border each other into one.</summary>
    public async Task<ReshardOutcome> MergeAsync(Tenant tenant, string name, string shardToMerge, string adjacentShardToMerge, CancellationToken cancellationToken = default)
    {
        var found = await PrecheckAsync(tenant, name, addedShards: 0, cancellationToken);
        return await RunAsync(tenant, found, (stream, next) =>
        {
            var shard = FindOpen(stream, shardToMerge, tenant);
            var adjacent = FindOpen(stream, adjacentShardToMerge, tenant);
            var (a, b) = (RangeOf(shard), RangeOf(adjacent));
            var bordering = (a.End != UInt128.MaxValue && a.End + 1 == b.Start) || (b.End != UInt128.MaxValue && b.End + 1 == a.Start);
            if (!bordering)
            {
                throw new SluiceException(SluiceErrorCode.InvalidArgument,
                    $"Shards {ShardId.Format(shard.ShardIndex)} and {ShardId.Format(adjacent.ShardIndex)} in stream {name} under account {tenant.AccountId} are not an adjacent pair of shards eligible for merging");
            }

            return [ReshardStep.Merge(new PlannedShard(shard.ShardIndex, a), new PlannedShard(adjacent.ShardIndex, b), next)];
        }, cancellationToken);
    }

    /// <summary>
    /// UpdateShardCount with UNIFORM_SCALING: merges and splits until <paramref name="targetShardCount"/>
    /// open shards cover the hash-key space in equal ranges (<see cref="UniformScaling"/>).
    /// </summary>
    public async Task<ReshardOutcome> UpdateShardCountAsync(Tenant tenant, string name, int targetShardCount, CancellationToken cancellationToken = default)
    {
        if (targetShardCount < 1)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, $"TargetShardCount {targetShardCount} must be at least 1.");
        }

        var stream = await PrecheckAsync(tenant, name, addedShards: 0, cancellationToken);
        var open = stream.Shards.Count(s => s.State == ShardState.Open);
        CheckTarget(open);
        if (targetShardCount > open)
        {
            await CheckAccountLimitAsync(tenant, targetShardCount - open, cancellationToken);
        }

        return await RunAsync(tenant, stream, (current, next) =>
        {
            var openShards = current.Shards.Where(s => s.State == ShardState.Open).Select(s => new PlannedShard(s.ShardIndex, RangeOf(s))).ToList();
            CheckTarget(openShards.Count);
            return UniformScaling.Plan(openShards, targetShardCount, next);
        }, cancellationToken);

        void CheckTarget(int openCount)
        {
            if (targetShardCount > 2 * openCount)
            {
                throw new SluiceException(SluiceErrorCode.InvalidArgument, string.Create(CultureInfo.InvariantCulture,
                    $"UpdateShardCount of stream {name} under account {tenant.AccountId} cannot scale up to {targetShardCount} shards: that is more than double the current shard count of {openCount}."));
            }

            if (targetShardCount * 2 < openCount)
            {
                throw new SluiceException(SluiceErrorCode.InvalidArgument, string.Create(CultureInfo.InvariantCulture,
                    $"UpdateShardCount of stream {name} under account {tenant.AccountId} cannot scale down to {targetShardCount} shards: that is below half the current shard count of {openCount}."));
            }
        }
    }

    private async Task<ReshardOutcome> RunAsync(
        Tenant tenant, StreamDefinition found, Func<StreamDefinition, int, IReadOnlyList<ReshardStep>> plan, CancellationToken cancellationToken)
    {
        var name = found.Name;
        await using var reshardLock = await Guard(() => catalog.TryLockReshardAsync(found.Id, cancellationToken))
            ?? throw StreamCatalog.NotActive(name, tenant.AccountId, StreamStatus.Updating);
        var current = await Guard(() => catalog.FindAsync(tenant.Id, name, cancellationToken));
        if (current is null || current.Id != found.Id)
        {
            throw new SluiceException(SluiceErrorCode.NotFound, $"Stream {name} under account {tenant.AccountId} not found.");
        }

        await RetryPendingSealsAsync(tenant, name, cancellationToken);
        if (current.Status == StreamStatus.Updating)
        {
            // Nobody holds the lock, so no reshard is under way: one died after its transaction
            // (its gateway stopped). Its shards are consistent; what it left is the seal, retried
            // above, and the way back to ACTIVE.
            await Guard(async () =>
            {
                await catalog.CompleteReshardAsync(current.Id, cancellationToken);
                return true;
            });
            LogRepaired(logger, name, current.Id);
        }

        var result = await Guard(() => catalog.ReshardAsync(tenant, name, plan, cancellationToken));
        var stream = result.Stream;
        LogResharded(logger, stream.Name, stream.Id, result.PreviousOpenShardCount, stream.ShardCount);

        // Committed: from here on nothing may stop half-way because the caller went away.
        try
        {
            router.Invalidate(tenant.Id, name);
            var route = await router.RefreshAsync(tenant, name, CancellationToken.None);
            var seals = new List<(ShardDefinition Shard, Task<long?> End)>();
            foreach (var closed in result.ClosedShards)
            {
                if (route.TryGetShard(closed.ShardIndex, out var shard))
                {
                    seals.Add((closed, sealer.TrySealAsync(route.StreamId, shard, CancellationToken.None)));
                }
            }

            foreach (var (shard, end) in seals)
            {
                shard.EndingOffset = await end;
            }
        }
        catch (Exception ex) when (ex is SluiceException || MetadataDatabase.IsTransient(ex))
        {
            // The parents stay closed without a recorded end; their seal is retried later.
            LogSealDeferred(logger, stream.Name, ex.Message);
        }
        finally
        {
            await Guard(async () =>
            {
                await catalog.CompleteReshardAsync(stream.Id, CancellationToken.None);
                return true;
            });
            stream.Status = StreamStatus.Active;
            router.Invalidate(tenant.Id, name);
        }

        return new ReshardOutcome(stream, result.PreviousOpenShardCount, stream.ShardCount);
    }

    /// <summary>Seals the stream's closed shards whose leader did not answer at their reshard.</summary>
    private async Task RetryPendingSealsAsync(Tenant tenant, string name, CancellationToken cancellationToken)
    {
        var route = await router.GetAsync(tenant, name, cancellationToken);
        var pending = route.Shards.Where(s => !s.IsOpen && s.EndingOffset is null).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        await Task.WhenAll(pending.Select(s => sealer.TrySealAsync(route.StreamId, s, cancellationToken)));
        router.Invalidate(tenant.Id, name);
    }

    private async Task<StreamDefinition> PrecheckAsync(Tenant tenant, string name, int addedShards, CancellationToken cancellationToken)
    {
        var stream = await Guard(() => catalog.FindAsync(tenant.Id, name, cancellationToken))
            ?? throw new SluiceException(SluiceErrorCode.NotFound, $"Stream {name} under account {tenant.AccountId} not found.");
        if (stream.Mode == StreamMode.OnDemand)
        {
            throw new SluiceException(SluiceErrorCode.NotSupported,
                $"Stream {name} under account {tenant.AccountId} is in ON_DEMAND capacity mode: SplitShard, MergeShards and UpdateShardCount are only supported for streams in PROVISIONED mode.");
        }

        // UPDATING may be what a reshard that died left behind: the reshard lock tells (RunAsync).
        if (stream.Status is not (StreamStatus.Active or StreamStatus.Updating))
        {
            throw StreamCatalog.NotActive(name, tenant.AccountId, stream.Status);
        }

        if (addedShards > 0)
        {
            await CheckAccountLimitAsync(tenant, addedShards, cancellationToken);
        }

        return stream;
    }

    private async Task CheckAccountLimitAsync(Tenant tenant, int addedShards, CancellationToken cancellationToken)
    {
        var (openShards, _) = await Guard(() => catalog.CountAsync(tenant.Id, cancellationToken));
        var limit = kinesis.Value.AccountShardLimit;
        if (openShards + addedShards > limit)
        {
            throw new SluiceException(SluiceErrorCode.LimitExceeded,
                $"This request would exceed the shard limit for the account {tenant.AccountId}. Current shard count for the account: {openShards}. Limit: {limit}. Number of additional shards that would have resulted from this request: {addedShards}.");
        }
    }

    private static ShardDefinition FindOpen(StreamDefinition stream, string shardId, Tenant tenant)
    {
        var shard = ShardId.TryParse(shardId, out var index) ? stream.Shards.FirstOrDefault(s => s.ShardIndex == index) : null;
        if (shard is null)
        {
            throw new SluiceException(SluiceErrorCode.NotFound, $"Could not find shard {shardId} in stream {stream.Name} under account {tenant.AccountId}.");
        }

        if (shard.State != ShardState.Open)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument,
                $"Shard {ShardId.Format(shard.ShardIndex)} in stream {stream.Name} under account {tenant.AccountId} has already been merged or split, and thus is not eligible for merging or splitting.");
        }

        return shard;
    }

    private static HashKeyRange RangeOf(ShardDefinition shard) => new(
        UInt128.Parse(shard.StartingHashKey, CultureInfo.InvariantCulture),
        UInt128.Parse(shard.EndingHashKey, CultureInfo.InvariantCulture));

    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (MetadataDatabase.IsTransient(ex))
        {
            throw new SluiceException(SluiceErrorCode.Unavailable, "The metadata store is unavailable; retry later.", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resharded stream {StreamName} ({StreamId}): {Before} open shards before, {After} after")]
    private static partial void LogResharded(ILogger logger, string streamName, long streamId, int before, int after);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamName} ({StreamId}) was left UPDATING by a reshard that did not finish; set back to ACTIVE")]
    private static partial void LogRepaired(ILogger logger, string streamName, long streamId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resharded stream {StreamName}, but sealing its closed shards is deferred: {Reason}")]
    private static partial void LogSealDeferred(ILogger logger, string streamName, string reason);
}
