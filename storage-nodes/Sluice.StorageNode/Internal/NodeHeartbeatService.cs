using Microsoft.Extensions.Options;
using Sluice.Metadata;

namespace Sluice.StorageNode.Internal;

/// <summary>Registers the node in PostgreSQL (a new node epoch per start) and renews its lease.</summary>
internal sealed partial class NodeHeartbeatService(
    NodeRegistry registry,
    IOptions<NodeOptions> options,
    ILogger<NodeHeartbeatService> logger) : BackgroundService
{
    private readonly NodeOptions _options = options.Value;

    /// <summary>The epoch this incarnation registered with; 0 until registered.</summary>
    public long NodeEpoch { get; private set; }

    public DateTimeOffset? LastHeartbeat { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        do
        {
            try
            {
                if (NodeEpoch == 0 || !await registry.HeartbeatAsync(_options.Id, NodeEpoch, stoppingToken))
                {
                    var address = _options.ResolveAdvertisedAddress();
                    NodeEpoch = await registry.RegisterAsync(_options.Id, address, _options.Rack, stoppingToken);
                    LogRegistered(logger, _options.Id, NodeEpoch, address);
                }

                LastHeartbeat = DateTimeOffset.UtcNow;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogHeartbeatFailed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered storage node {NodeId} with node epoch {NodeEpoch} at {Address}")]
    private static partial void LogRegistered(ILogger logger, string nodeId, long nodeEpoch, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat failed: {Reason}")]
    private static partial void LogHeartbeatFailed(ILogger logger, string reason);
}
