using Microsoft.Extensions.Options;
using Sluice.Log;
using Sluice.Metadata;

namespace Sluice.StorageNode.Internal;

/// <summary>
/// Periodically enforces retention on every open replica and removes replicas whose shard is no
/// longer placed on this node (a deleted stream).
/// </summary>
internal sealed partial class MaintenanceService(
    LogStore logs,
    StreamCatalog catalog,
    ReplicaManager replicas,
    IOptions<NodeOptions> options,
    ILogger<MaintenanceService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.MaintenanceInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogMaintenanceFailed(logger, ex.Message);
            }
        }
    }

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var deleted = await logs.EnforceRetentionAsync(cancellationToken);
        if (deleted > 0)
        {
            LogRetention(logger, deleted);
        }

        // Disk first, assignments second: a replica that exists before the query was assigned
        // before it, so a stream created in between is never mistaken for a deleted one.
        var onDisk = logs.ListOnDisk();
        var assigned = (await catalog.ListAssignmentsAsync(options.Value.Id, cancellationToken))
            .Select(a => ReplicaManager.LogName(a.StreamId, a.ShardIndex))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var name in onDisk)
        {
            if (assigned.Contains(name))
            {
                continue;
            }

            var parts = name.Split('/');
            if (parts.Length == 2 && long.TryParse(parts[0], out var streamId) && int.TryParse(parts[1], out var shardIndex))
            {
                // Neither led nor followed from here on, so nothing writes to the log being deleted.
                await replicas.ReleaseAsync(streamId, shardIndex, "its shard is no longer placed on this node");
            }

            await logs.DeleteAsync(name, cancellationToken);

            LogReplicaRemoved(logger, name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Segments} segments")]
    private static partial void LogRetention(ILogger logger, int segments);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed replica {Name}: its shard is no longer placed on this node")]
    private static partial void LogReplicaRemoved(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Maintenance failed: {Reason}")]
    private static partial void LogMaintenanceFailed(ILogger logger, string reason);
}
