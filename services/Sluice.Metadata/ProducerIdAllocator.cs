using Microsoft.EntityFrameworkCore;

namespace Sluice.Metadata;

/// <summary>
/// Hands out idempotent producer ids (Kafka's InitProducerId) from a PostgreSQL sequence: unique across every gateway
/// and restart, never reused, starting at 1. A sequence is not transactional, so an id taken by a call that then
/// failed is simply skipped.
/// </summary>
public sealed class ProducerIdAllocator(IDbContextFactory<MetadataDbContext> contexts)
{
    private const string NextIdSql = "SELECT nextval('" + MetadataDbContext.ProducerIdSequence + "') AS \"Value\"";

    /// <summary>Allocates a new producer id.</summary>
    public async Task<long> AllocateAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var ids = await db.Database.SqlQueryRaw<long>(NextIdSql).ToListAsync(cancellationToken);
        return ids[0];
    }
}
