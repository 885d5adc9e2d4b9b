using Microsoft.EntityFrameworkCore;
using Sluice.Core;
using Sluice.Metadata.Model;

namespace Sluice.Metadata;

// The stream lifecycle in PostgreSQL: every change of status is a compare-and-set on the status
// column, so gateways that race on the same stream (the one that took the request and the sweeps
// of all of them) can repeat each other's work but never undo it.
public sealed partial class StreamCatalog
{
    // Names "stream lifecycle transition" among advisory locks; the second key is the stream id.
    private const int TransitionLockClass = 0x534C_4331;

    /// <summary>A stream and its shards by id, whatever its tenant and status; null when it does not exist.</summary>
    public async Task<StreamDefinition?> FindByIdAsync(long streamId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Streams.AsNoTracking()
            .Include(s => s.Shards.OrderBy(x => x.ShardIndex))
            .SingleOrDefaultAsync(s => s.Id == streamId, cancellationToken);
    }

    /// <summary>A stream's status by id; null when it does not exist.</summary>
    public async Task<StreamStatus?> FindStatusAsync(long streamId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Streams.AsNoTracking()
            .Where(s => s.Id == streamId)
            .Select(s => (StreamStatus?)s.Status)
            .SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// Ids of the streams of every tenant whose creation or deletion is not complete, oldest first:
    /// what a lifecycle sweep finishes.
    /// </summary>
    public async Task<IReadOnlyList<long>> ListTransitioningAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Streams.AsNoTracking()
            .Where(s => s.Status == StreamStatus.Creating || s.Status == StreamStatus.Deleting)
            .OrderBy(s => s.Id)
            .Select(s => s.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    /// <summary>CREATING → ACTIVE, compare-and-set; false when the stream is not CREATING (any more).</summary>
    public async Task<bool> TryActivateAsync(long streamId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var updated = await db.Streams
            .Where(s => s.Id == streamId && s.Status == StreamStatus.Creating)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, StreamStatus.Active), cancellationToken);
        return updated == 1;
    }

    /// <summary>
    /// Marks the tenant's stream DELETING and returns it (with its shards); a stream already DELETING
    /// is returned as it is. Refused with <see cref="SluiceErrorCode.ResourceInUse"/> when the stream is
    /// busy (<see cref="StreamLifecycleRules.DecideDelete"/>) or has consumers and
    /// <paramref name="enforceConsumerDeletion"/> is false (Kinesis' EnforceConsumerDeletion);
    /// <see cref="SluiceErrorCode.NotFound"/> when there is no such stream.
    /// </summary>
    public async Task<StreamDefinition> BeginDeleteAsync(
        Tenant tenant, string name, bool enforceConsumerDeletion, bool allowWhileCreating, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // The row stays locked until commit, so a concurrent change of status (or a consumer
        // registering, once consumers exist) waits for this decision instead of slipping past it.
        var stream = await db.Streams
            .FromSql($"SELECT * FROM streams WHERE tenant_id = {tenant.Id} AND name = {name} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken)
            ?? throw new SluiceException(SluiceErrorCode.NotFound, $"Stream {name} under account {tenant.AccountId} not found.");

        switch (StreamLifecycleRules.DecideDelete(stream.Status, allowWhileCreating))
        {
            case DeleteDecision.InUse:
                throw new SluiceException(SluiceErrorCode.ResourceInUse, NotActiveMessage(tenant, stream));
            case DeleteDecision.Begin:
                if (!enforceConsumerDeletion && await CountConsumersAsync(db, stream.Id, cancellationToken) is > 0 and var consumers)
                {
                    throw new SluiceException(SluiceErrorCode.ResourceInUse,
                        $"Stream {name} under account {tenant.AccountId} has {consumers} registered consumers: deregister them, or delete with EnforceConsumerDeletion.");
                }

                stream.Status = StreamStatus.Deleting;
                await db.SaveChangesAsync(cancellationToken);
                break;
        }

        await transaction.CommitAsync(cancellationToken);
        await db.Entry(stream).Collection(s => s.Shards).LoadAsync(cancellationToken);
        stream.Shards.Sort((a, b) => a.ShardIndex.CompareTo(b.ShardIndex));
        return stream;
    }

    /// <summary>Removes a DELETING stream's rows (its shards go with them); false when it is gone or not DELETING.</summary>
    public async Task<bool> RemoveDeletedAsync(long streamId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var deleted = await db.Streams
            .Where(s => s.Id == streamId && s.Status == StreamStatus.Deleting)
            .ExecuteDeleteAsync(cancellationToken);
        return deleted == 1;
    }

    /// <summary>
    /// Takes the stream's transition lock if no other gateway holds it (never waits); null when one
    /// does. The holder does the storage-node calls and the compare-and-set; the others skip the stream.
    /// </summary>
    public async Task<StreamTransitionLock?> TryLockTransitionAsync(long streamId, CancellationToken cancellationToken = default)
    {
        var db = await contexts.CreateDbContextAsync(cancellationToken);
        try
        {
            var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Two int keys: the class, and the stream id folded to 32 bits (two streams sharing a
            // key only serialise each other's transitions).
            var key = unchecked((int)(streamId ^ (streamId >> 32)));
            var acquired = await db.Database
                .SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({TransitionLockClass}, {key}) AS \"Value\"")
                .SingleAsync(cancellationToken);
            if (acquired)
            {
                return new StreamTransitionLock(db, transaction);
            }

            await transaction.DisposeAsync();
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }

        await db.DisposeAsync();
        return null;
    }

    /// <summary>The error for a name that is taken: by a stream, or by one still being deleted.</summary>
    private async Task<SluiceException> NameTakenAsync(Tenant tenant, string name, CancellationToken cancellationToken)
    {
        StreamStatus? status = null;
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            status = await db.Streams.AsNoTracking()
                .Where(s => s.TenantId == tenant.Id && s.Name == name)
                .Select(s => (StreamStatus?)s.Status)
                .SingleOrDefaultAsync(cancellationToken);
        }
        catch (Exception ex) when (MetadataDatabase.IsTransient(ex))
        {
            // The plain answer below is still true.
        }

        return status == StreamStatus.Deleting
            ? new SluiceException(SluiceErrorCode.AlreadyExists,
                $"Stream {name} under account {tenant.AccountId} is being deleted; create it again once it is gone.")
            : new SluiceException(SluiceErrorCode.AlreadyExists, $"Stream {name} under account {tenant.AccountId} already exists.");
    }

    /// <summary>Kinesis' wording for an operation that needs an ACTIVE stream.</summary>
    public static string NotActiveMessage(Tenant tenant, StreamDefinition stream) =>
        $"Stream {stream.Name} under account {tenant.AccountId} is not ACTIVE, instead in state {stream.Status.ToString().ToUpperInvariant()}.";
}
