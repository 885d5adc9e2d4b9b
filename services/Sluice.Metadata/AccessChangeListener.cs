using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Sluice.Metadata;

/// <summary>
/// Raises <see cref="NotificationListener{TChange}.Changed"/> for every tenant or access key whose ability to
/// authenticate changed (announced on <see cref="AccessChange.Channel"/>), so caches of tenants and keys drop them at
/// once rather than when their time-to-live runs out; <see cref="NotificationListener{TChange}.Reset"/> after every
/// (re)connect.
/// </summary>
public sealed class AccessChangeListener(IDbContextFactory<MetadataDbContext> contexts, ILogger<AccessChangeListener> logger)
    : NotificationListener<AccessChange>(contexts, AccessChange.Channel, "sluice-access-listener", logger)
{
    protected override bool TryParse(string payload, out AccessChange change) => AccessChange.TryParse(payload, out change);
}
