using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Gateway.Routing;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Streams;

/// <summary>
/// Stream administration for every face, scoped to the caller's tenant. Creation and deletion
/// return at once with the stream CREATING or DELETING (as Kinesis does) while
/// <see cref="StreamLifecycle"/> completes them; the <c>…AndWaitAsync</c> variants wait for that,
/// within <see cref="StreamLifecycleOptions.WaitTimeout"/>, for faces that promise a settled stream.
/// </summary>
public sealed class StreamService(StreamCatalog catalog, StreamRouter router, StreamLifecycle lifecycle, IOptions<StreamLifecycleOptions> lifecycleOptions)
{
    public const int DefaultListLimit = 100;

    /// <summary>An acks setting as the faces spell it (all, leader, none; any case); null for none given.</summary>
    public static AckMode? ParseAcks(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "all" => AckMode.All,
        "leader" => AckMode.Leader,
        "none" => AckMode.None,
        _ => throw new SluiceException(SluiceErrorCode.InvalidArgument, $"Acks '{value}' is not one of all, leader or none."),
    };

    /// <summary>An acks mode as the faces spell it.</summary>
    public static string AcksName(AckMode acks) => acks.ToString().ToLowerInvariant();

    /// <summary>Stores the stream CREATING and starts making it ACTIVE in the background.</summary>
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
        var stream = await Guard(() => catalog.CreateAsync(
            tenant, name, shardCount, retentionHours, mode, tags, replicationFactor, minInSyncReplicas, defaultAcks, cancellationToken));
        // A route cached for an earlier stream of that name must not outlive it.
        router.Invalidate(tenant.Id, name);
        lifecycle.Start(stream.Id);
        return stream;
    }

    /// <summary>
    /// Creates the stream and waits until it is ACTIVE; it is returned still CREATING when the wait
    /// runs out (a storage node that is down), and becomes ACTIVE later by itself.
    /// </summary>
    public async Task<StreamDefinition> CreateAndWaitAsync(
        Tenant tenant, string name, int shardCount, int retentionHours,
        int? replicationFactor = null, int? minInSyncReplicas = null, AckMode? defaultAcks = null, CancellationToken cancellationToken = default)
    {
        var created = await CreateAsync(tenant, name, shardCount, retentionHours,
            replicationFactor: replicationFactor, minInSyncReplicas: minInSyncReplicas, defaultAcks: defaultAcks, cancellationToken: cancellationToken);
        return await WaitAsync(created.Id, cancellationToken)
            ?? throw new SluiceException(SluiceErrorCode.NotFound, $"Stream {name} under account {tenant.AccountId} was deleted while it was being created.");
    }

    /// <summary>
    /// Marks the stream DELETING (a stream DELETING already is left so) and starts removing its
    /// replicas in the background; returns it DELETING. See <see cref="StreamCatalog.BeginDeleteAsync"/>
    /// for what refuses it.
    /// </summary>
    public async Task<StreamDefinition> DeleteAsync(
        Tenant tenant, string name, bool enforceConsumerDeletion = false, bool allowWhileCreating = false, CancellationToken cancellationToken = default)
    {
        var stream = await Guard(() => catalog.BeginDeleteAsync(tenant, name, enforceConsumerDeletion, allowWhileCreating, cancellationToken));
        router.Invalidate(tenant.Id, name);
        lifecycle.Start(stream.Id);
        return stream;
    }

    /// <summary>
    /// Deletes the stream (also one still CREATING) and waits until it is gone: null then, or the
    /// stream still DELETING when the wait runs out (it goes later by itself).
    /// </summary>
    public async Task<StreamDefinition?> DeleteAndWaitAsync(Tenant tenant, string name, CancellationToken cancellationToken = default)
    {
        var deleting = await DeleteAsync(tenant, name, allowWhileCreating: true, cancellationToken: cancellationToken);
        return await WaitAsync(deleting.Id, cancellationToken);
    }

    /// <summary>
    /// Changes the stream's settings; <paramref name="change"/> may throw a <see cref="SluiceException"/>
    /// to refuse. A stream CREATING or DELETING is refused with <see cref="SluiceErrorCode.ResourceInUse"/>.
    /// </summary>
    public async Task UpdateAsync(Tenant tenant, string name, Action<StreamDefinition> change, CancellationToken cancellationToken = default)
    {
        var found = await Guard(() => catalog.UpdateAsync(tenant.Id, name, stream =>
        {
            if (StreamLifecycleRules.IsTransitioning(stream.Status))
            {
                throw new SluiceException(SluiceErrorCode.ResourceInUse, StreamCatalog.NotActiveMessage(tenant, stream));
            }

            change(stream);
        }, cancellationToken));
        router.Invalidate(tenant.Id, name);
        if (!found)
        {
            throw new SluiceException(SluiceErrorCode.NotFound, $"Stream {name} under account {tenant.AccountId} not found.");
        }
    }

    /// <summary>
    /// <see cref="UpdateAsync"/>, then announces the change on the shard-change channel, so that every gateway drops
    /// its cached route of the stream and the storage nodes re-read it at once: for settings the write path reads
    /// (encryption, the schema binding). An announcement that fails after the commit is not an error: this gateway
    /// already dropped its route, the others see the change when theirs expires (<c>Sluice:Gateway:RouteTtl</c>), and
    /// the nodes on their next role sync.
    /// </summary>
    public async Task UpdateAndAnnounceAsync(Tenant tenant, string name, Action<StreamDefinition> change, CancellationToken cancellationToken = default)
    {
        long streamId = 0;
        await UpdateAsync(tenant, name, stream =>
        {
            change(stream);
            streamId = stream.Id;
        }, cancellationToken);

        try
        {
            await catalog.AnnounceStreamAsync(streamId, cancellationToken);
        }
        catch (Exception ex) when (MetadataDatabase.IsTransient(ex))
        {
            // Committed already (see above).
        }
    }

    /// <summary>Open shards over all the tenant's streams, and its on-demand streams.</summary>
    public Task<(int OpenShards, int OnDemandStreams)> CountAsync(Tenant tenant, CancellationToken cancellationToken = default) =>
        Guard(() => catalog.CountAsync(tenant.Id, cancellationToken));

    public async Task<StreamDefinition> DescribeAsync(Tenant tenant, string name, CancellationToken cancellationToken = default) =>
        await Guard(() => catalog.FindAsync(tenant.Id, name, cancellationToken))
        ?? throw new SluiceException(SluiceErrorCode.NotFound, $"Stream {name} under account {tenant.AccountId} not found.");

    public Task<(IReadOnlyList<StreamDefinition> Streams, bool HasMore)> ListAsync(
        Tenant tenant, string? exclusiveStartName, int limit, CancellationToken cancellationToken = default) =>
        Guard(() => catalog.ListAsync(tenant.Id, exclusiveStartName, limit, cancellationToken));

    /// <summary>The stream once settled within the wait timeout, else as it is now; null when it is gone.</summary>
    private async Task<StreamDefinition?> WaitAsync(long streamId, CancellationToken cancellationToken)
    {
        var result = await lifecycle.WaitAsync(streamId, lifecycleOptions.Value.WaitTimeout, cancellationToken);
        if (result.IsSettled)
        {
            return result.Stream;
        }

        return result.Stream ?? await Guard(() => catalog.FindByIdAsync(streamId, cancellationToken));
    }

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
}
