using Sluice.Metadata;

namespace Sluice.Gateway.Auth;

/// <summary>
/// Drops cached tenants (<see cref="TenantResolver"/>) and access keys (<see cref="AccessKeyStore"/>) as soon as
/// <see cref="AccessChangeListener"/> reports a change from any gateway, so a suspended tenant or a disabled, rotated or
/// deleted key is refused within moments on every face instead of when the caches' time-to-live runs out.
/// </summary>
internal sealed class AccessCacheInvalidator(AccessChangeListener listener, TenantResolver tenants, AccessKeyStore keys) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        listener.Changed += OnChanged;
        listener.Reset += OnReset;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        listener.Changed -= OnChanged;
        listener.Reset -= OnReset;
        return Task.CompletedTask;
    }

    private void OnChanged(AccessChange change)
    {
        switch (change.Kind)
        {
            case AccessChangeKind.Tenant when Guid.TryParse(change.Id, out var tenantId):
                tenants.Invalidate(tenantId);
                keys.InvalidateTenant(tenantId);
                break;
            case AccessChangeKind.AccessKey:
                keys.Invalidate(change.Id);
                break;
        }
    }

    private void OnReset()
    {
        tenants.Clear();
        keys.InvalidateAll();
    }
}
