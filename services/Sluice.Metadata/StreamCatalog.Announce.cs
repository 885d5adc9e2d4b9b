using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Sluice.Metadata;

public sealed partial class StreamCatalog
{
    /// <summary>
    /// Announces every shard of a stream on the shard-change channel with its current epochs, so that storage nodes
    /// and gateways re-read a stream-level setting they hold per shard (encryption) now rather than at their next
    /// poll. A hint only: whoever misses it reads the same state on its next refresh.
    /// </summary>
    public async Task AnnounceStreamAsync(long streamId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var shards = await db.Shards.AsNoTracking()
            .Where(s => s.StreamId == streamId)
            .Select(s => new { s.ShardIndex, s.LeaderEpoch, s.PartitionEpoch })
            .ToListAsync(cancellationToken);
        foreach (var shard in shards)
        {
            var change = new ShardChange(streamId, shard.ShardIndex, shard.LeaderEpoch, shard.PartitionEpoch);
            await db.Database.ExecuteSqlRawAsync(
                "SELECT pg_notify(@channel, @payload)",
                [
                    new NpgsqlParameter("channel", NpgsqlDbType.Text) { Value = PartitionStateStore.Channel },
                    new NpgsqlParameter("payload", NpgsqlDbType.Text) { Value = change.ToPayload() },
                ],
                cancellationToken);
        }
    }
}
