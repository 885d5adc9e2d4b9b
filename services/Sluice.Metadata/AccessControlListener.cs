using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Sluice.Metadata;

/// <summary>
/// Raises <see cref="NotificationListener{TChange}.Changed"/> with the tenant whose principals or ACL entries changed
/// (announced on <see cref="AccessControlStore.Channel"/>), and <see cref="NotificationListener{TChange}.Reset"/> after
/// every (re)connect.
/// </summary>
public sealed class AccessControlListener(IDbContextFactory<MetadataDbContext> contexts, ILogger<AccessControlListener> logger)
    : NotificationListener<Guid>(contexts, AccessControlStore.Channel, "sluice-acl-listener", logger)
{
    protected override bool TryParse(string payload, out Guid tenantId) => Guid.TryParseExact(payload, "D", out tenantId);
}
