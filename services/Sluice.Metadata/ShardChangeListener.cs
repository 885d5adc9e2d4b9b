using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Sluice.Metadata;

/// <summary>
/// Raises <see cref="NotificationListener{TChange}.Changed"/> for every shard change (leader, ISR, replicas) announced
/// on <see cref="PartitionStateStore.Channel"/>, and <see cref="NotificationListener{TChange}.Reset"/> after every
/// (re)connect.
/// </summary>
public sealed class ShardChangeListener(IDbContextFactory<MetadataDbContext> contexts, ILogger<ShardChangeListener> logger)
    : NotificationListener<ShardChange>(contexts, PartitionStateStore.Channel, "sluice-shard-listener", logger)
{
    protected override bool TryParse(string payload, out ShardChange change) => ShardChange.TryParse(payload, out change);
}
