using Grpc.Core;
using Microsoft.Extensions.Options;
using Sluice.Metadata;
using Sluice.Storage.V1;

namespace Sluice.Gateway.Routing;

/// <summary>
/// Asks the leader of a closed shard to seal it (refuse further appends, let the accepted ones
/// commit, answer where the log ends) and records that end in PostgreSQL. Used right after a
/// reshard, and again lazily by a reader that reaches the end of a closed shard whose seal did not
/// get through (its leader was down): until a seal succeeds the shard has no recorded end, so no
/// reader is sent on to its children before every record it took is readable.
/// </summary>
public sealed partial class ShardSealer(StreamCatalog catalog, StorageClients storage, IOptions<GatewayOptions> options, TimeProvider timeProvider, ILogger<ShardSealer> logger)
{
    /// <summary>The shard's log end offset once sealed and recorded; null when the leader or PostgreSQL could not be reached.</summary>
    public async Task<long?> TrySealAsync(long streamId, ShardRoute shard, CancellationToken cancellationToken = default)
    {
        if (shard.EndingOffset is { } known)
        {
            return known;
        }

        if (shard.LeaderAddress is null)
        {
            LogSealFailed(logger, streamId, shard.ShardId, "no known leader address");
            return null;
        }

        try
        {
            var deadline = timeProvider.GetUtcNow().UtcDateTime + options.Value.StorageCallTimeout;
            var response = await storage.Get(shard.LeaderAddress).SealShardAsync(
                new SealShardRequest { StreamId = streamId, ShardIndex = shard.Index, LeaderEpoch = shard.LeaderEpoch },
                deadline: deadline, cancellationToken: cancellationToken);
            await catalog.RecordEndingOffsetAsync(streamId, shard.Index, response.LogEndOffset, cancellationToken);
            return response.LogEndOffset;
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            LogSealFailed(logger, streamId, shard.ShardId, $"{ex.StatusCode}: {ex.Status.Detail}");
            return null;
        }
        catch (Exception ex) when (MetadataDatabase.IsTransient(ex))
        {
            LogSealFailed(logger, streamId, shard.ShardId, ex.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sealing closed shard {ShardId} of stream {StreamId} failed ({Reason}); it is retried when a reader reaches its end")]
    private static partial void LogSealFailed(ILogger logger, long streamId, string shardId, string reason);
}
