using Sluice.Core;
using Sluice.Gateway.Routing;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Streams;

/// <summary>Stream administration for every face, scoped to the caller's tenant.</summary>
public sealed class StreamService(StreamCatalog catalog, StreamRouter router)
{
    public const int DefaultListLimit = 100;

    public Task<StreamDefinition> CreateAsync(
        Tenant tenant,
        string name,
        int shardCount,
        int retentionHours,
        StreamMode mode = StreamMode.Provisioned,
        IReadOnlyDictionary<string, string>? tags = null,
        CancellationToken cancellationToken = default) =>
        Guard(() => catalog.CreateAsync(tenant, name, shardCount, retentionHours, mode, tags, cancellationToken));

    /// <summary>Changes the stream's settings; <paramref name="change"/> may throw a <see cref="SluiceException"/> to refuse.</summary>
    public async Task UpdateAsync(Tenant tenant, string name, Action<StreamDefinition> change, CancellationToken cancellationToken = default)
    {
        var found = await Guard(() => catalog.UpdateAsync(tenant.Id, name, change, cancellationToken));
        router.Invalidate(tenant.Id, name);
        if (!found)
        {
            throw new SluiceException(SluiceErrorCode.NotFound, $"Stream {name} under account {tenant.AccountId} not found.");
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

    public async Task DeleteAsync(Tenant tenant, string name, CancellationToken cancellationToken = default)
    {
        var deleted = await Guard(() => catalog.DeleteAsync(tenant.Id, name, cancellationToken));
        router.Invalidate(tenant.Id, name);
        if (!deleted)
        {
            throw new SluiceException(SluiceErrorCode.NotFound, $"Stream {name} under account {tenant.AccountId} not found.");
        }
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
