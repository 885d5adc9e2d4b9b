using System.Collections.Concurrent;
using System.Globalization;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.StorageNode.Internal;

// The stream lifecycle on this node: shard logs made ready before a stream turns ACTIVE, and
// removed (and kept from coming back) while it is DELETING.
internal sealed partial class ReplicaManager
{
    /// <summary>
    /// How long a removed replica stays refused: longer than any cached assignment or append in
    /// flight, after which its rows are gone from PostgreSQL and it is refused as unknown anyway.
    /// </summary>
    private static readonly TimeSpan RemovedMemory = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<(long StreamId, int ShardIndex), DateTimeOffset> _removed = new();

    /// <summary>True when DeleteShards removed the replica: appends and reads of it are refused.</summary>
    public bool IsRemoved(long streamId, int shardIndex) => _removed.ContainsKey((streamId, shardIndex));

    /// <summary>
    /// Opens (creating if needed) the log of a shard this node leads at <paramref name="leaderEpoch"/>
    /// and fsyncs its directories. Idempotent.
    /// </summary>
    public async ValueTask PrepareAsync(long streamId, int shardIndex, int leaderEpoch, CancellationToken cancellationToken)
    {
        try
        {
            await GetLeaderLogAsync(streamId, shardIndex, leaderEpoch, cancellationToken);
            logs.FlushDirectories(LogName(streamId, shardIndex));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // A full or read-only disk, or the log being removed by maintenance right now: retriable.
            throw StorageErrors.Unavailable($"The log of {streamId}/{shardIndex} cannot be prepared now: {ex.Message}");
        }
    }

    /// <summary>
    /// Refused with <c>stream-not-deleting</c> unless the stream is DELETING or gone in PostgreSQL:
    /// a confused caller must never delete a live stream's data.
    /// </summary>
    public async ValueTask EnsureDeletingAsync(long streamId, CancellationToken cancellationToken)
    {
        StreamStatus? status;
        try
        {
            status = await catalog.FindStatusAsync(streamId, cancellationToken);
        }
        catch (Exception ex) when (MetadataDatabase.IsTransient(ex))
        {
            throw StorageErrors.Unavailable($"The metadata store is unreachable: cannot check that stream {streamId} is being deleted.");
        }

        if (status is { } current && current != StreamStatus.Deleting)
        {
            throw StorageErrors.StreamNotDeleting(streamId, current.ToString().ToUpperInvariant());
        }
    }

    /// <summary>
    /// Closes and deletes this node's replica of a shard, and refuses it from now on. Idempotent;
    /// true when there was a replica to remove.
    /// </summary>
    public async ValueTask<bool> RemoveAsync(long streamId, int shardIndex, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        foreach (var (key, removedAt) in _removed)
        {
            if (now - removedAt > RemovedMemory)
            {
                _removed.TryRemove(key, out _);
            }
        }

        // Refused first, removed second: an append that arrives in between finds the mark.
        _removed[(streamId, shardIndex)] = now;
        await ReleaseAsync(streamId, shardIndex, "its stream is being deleted");
        var name = LogName(streamId, shardIndex);
        var directory = Path.Combine(logs.RootDirectory, streamId.ToString(CultureInfo.InvariantCulture), shardIndex.ToString(CultureInfo.InvariantCulture));
        var present = logs.TryGet(name, out _) || Directory.Exists(directory);
        try
        {
            await logs.DeleteAsync(name, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // Maintenance removing it at the same moment, or a disk error: the caller retries.
            throw StorageErrors.Unavailable($"The replica of {streamId}/{shardIndex} cannot be removed now: {ex.Message}");
        }

        Forget(streamId, shardIndex);
        if (present)
        {
            LogReplicaDeleted(logger, streamId, shardIndex);
        }

        return present;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted replica {StreamId}/{ShardIndex}: its stream is being deleted")]
    private static partial void LogReplicaDeleted(ILogger logger, long streamId, int shardIndex);
}
