using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Gateway.Auth;
using Sluice.Gateway.Streams;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Admin;

/// <summary>
/// Tenant administration behind <c>/admin/v1/tenants</c>: every change audited in its own transaction, and this
/// gateway's caches of the tenant dropped at once (other gateways drop theirs on the <see cref="AccessChange"/>
/// notification). A forced delete removes the tenant's streams through the ordinary stream deletion (so storage nodes
/// drop their shards) before the tenant itself.
/// </summary>
public sealed partial class TenantAdministration(
    TenantDirectory tenants,
    StreamCatalog catalog,
    StreamService streams,
    StreamLifecycle lifecycle,
    AuditLog audit,
    TenantResolver resolver,
    AccessKeyStore keys,
    IOptions<StreamLifecycleOptions> lifecycleOptions,
    TimeProvider timeProvider,
    ILogger<TenantAdministration> logger)
{
    private const int StreamPageSize = 100;

    public Task<Tenant> CreateAsync(string name, AuditActor actor, CancellationToken cancellationToken = default) =>
        AdminContext.Guard(() => tenants.CreateAsync(name, (db, tenant) =>
            audit.Add(db, actor, AdminActions.TenantCreate, tenant.Name, tenant.Id, new { tenant.AccountId }), cancellationToken));

    /// <summary>Suspends or resumes the tenant (a no-op, not audited, when it already is so); 404 when it does not exist.</summary>
    public async Task<Tenant> SetStatusAsync(string name, TenantStatus status, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var action = status == TenantStatus.Suspended ? AdminActions.TenantSuspend : AdminActions.TenantResume;
        var result = await AdminContext.Guard(() => tenants.SetStatusAsync(name, status,
            (db, tenant) => audit.Add(db, actor, action, tenant.Name, tenant.Id), cancellationToken))
            ?? throw new SluiceException(SluiceErrorCode.NotFound, TenantAdminPolicy.TenantNotFound(name));
        Forget(result.Tenant.Id);
        return result.Tenant;
    }

    /// <summary>
    /// Deletes the tenant. Without <paramref name="force"/>, 409 while it has streams. With it, the tenant is suspended
    /// first (so no stream is created meanwhile), each stream is deleted as DeleteStream would (consumers too), and the
    /// tenant goes once they are gone; when they take longer than the lifecycle wait (a storage node is down), 409 and
    /// the tenant stays suspended: a later delete finishes it.
    /// </summary>
    public async Task DeleteAsync(string name, bool force, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var tenant = await AdminContext.Guard(() => tenants.FindByNameAsync(name, cancellationToken))
            ?? throw new SluiceException(SluiceErrorCode.NotFound, TenantAdminPolicy.TenantNotFound(name));
        var deletedStreams = 0;
        if (force)
        {
            if (tenant.Status != TenantStatus.Suspended)
            {
                tenant = await SetStatusAsync(name, TenantStatus.Suspended, actor, cancellationToken);
            }

            deletedStreams = await DeleteStreamsAsync(tenant, actor, cancellationToken);
        }

        var deletion = await AdminContext.Guard(() => tenants.DeleteAsync(name,
            (db, deleted) => audit.Add(db, actor, AdminActions.TenantDelete, deleted.Name, deleted.Id, new { force, deletedStreams }), cancellationToken))
            ?? throw new SluiceException(SluiceErrorCode.NotFound, TenantAdminPolicy.TenantNotFound(name));
        if (!deletion.Deleted)
        {
            throw new SluiceException(SluiceErrorCode.ResourceInUse, force
                ? $"Tenant '{name}' still has {deletion.RemainingStreams} stream(s) being deleted (a storage node may be down); it stays suspended. Retry the delete."
                : $"Tenant '{name}' has {deletion.RemainingStreams} stream(s): delete them first, or delete the tenant with force=true.");
        }

        Forget(tenant.Id);
        LogDeleted(logger, name, deletedStreams);
    }

    // Deletes every stream of the (suspended) tenant and waits, within the lifecycle wait, until they are gone.
    private async Task<int> DeleteStreamsAsync(Tenant tenant, AuditActor actor, CancellationToken cancellationToken)
    {
        var deadline = timeProvider.GetUtcNow() + lifecycleOptions.Value.WaitTimeout;
        var deleting = new List<long>();
        var begun = 0;
        while (true)
        {
            var busy = 0;
            string? start = null;
            while (true)
            {
                var (page, hasMore) = await AdminContext.Guard(() => catalog.ListAsync(tenant.Id, start, StreamPageSize, cancellationToken));
                foreach (var stream in page)
                {
                    if (stream.Status == StreamStatus.Deleting)
                    {
                        deleting.Add(stream.Id);
                        continue;
                    }

                    try
                    {
                        var marked = await streams.DeleteAsync(tenant, stream.Name, enforceConsumerDeletion: true, allowWhileCreating: true, cancellationToken);
                        deleting.Add(marked.Id);
                        begun++;
                        await AdminContext.Guard(async () =>
                        {
                            await audit.RecordAsync(actor, AdminActions.StreamDelete, stream.Name, tenant.Id, new { reason = AdminActions.TenantDelete }, cancellationToken);
                            return true;
                        });
                    }
                    catch (SluiceException ex) when (ex.Code == SluiceErrorCode.NotFound)
                    {
                        // Deleted meanwhile.
                    }
                    catch (SluiceException ex) when (ex.Code == SluiceErrorCode.ResourceInUse)
                    {
                        // Resharding: try again once it settles.
                        busy++;
                    }
                }

                if (!hasMore)
                {
                    break;
                }

                start = page[^1].Name;
            }

            var remaining = deadline - timeProvider.GetUtcNow();
            if (busy == 0 || remaining <= TimeSpan.Zero)
            {
                break;
            }

            await Task.Delay(lifecycleOptions.Value.RetryDelay < remaining ? lifecycleOptions.Value.RetryDelay : remaining, timeProvider, cancellationToken);
        }

        foreach (var id in deleting.Distinct())
        {
            var remaining = deadline - timeProvider.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            await lifecycle.WaitAsync(id, remaining, cancellationToken);
        }

        return begun;
    }

    private void Forget(Guid tenantId)
    {
        resolver.Invalidate(tenantId);
        keys.InvalidateTenant(tenantId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {Tenant} deleted ({Streams} stream(s) deleted with it)")]
    private static partial void LogDeleted(ILogger logger, string tenant, int streams);
}
