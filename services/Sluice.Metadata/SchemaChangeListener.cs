using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Sluice.Metadata;

/// <summary>
/// Raises <see cref="NotificationListener{TChange}.Changed"/> for every registry subject that changed (announced on
/// <see cref="SchemaChange.Channel"/>: a version registered or deleted, a setting changed), so gateways drop the schemas
/// they check a bound stream's records against at once rather than when their time-to-live runs out: a version deleted
/// stops being accepted, a version registered is accepted, the moment the registry answered.
/// <see cref="NotificationListener{TChange}.Reset"/> after every (re)connect.
/// </summary>
public sealed class SchemaChangeListener(IDbContextFactory<MetadataDbContext> contexts, ILogger<SchemaChangeListener> logger)
    : NotificationListener<SchemaChange>(contexts, SchemaChange.Channel, "sluice-schema-listener", logger)
{
    protected override bool TryParse(string payload, out SchemaChange change) => SchemaChange.TryParse(payload, out change);
}
