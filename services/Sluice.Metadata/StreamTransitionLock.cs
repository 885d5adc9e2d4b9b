using Microsoft.EntityFrameworkCore.Storage;

namespace Sluice.Metadata;

/// <summary>
/// Exclusive right to work on one stream's transition (CREATING → ACTIVE, DELETING → gone) among
/// every gateway: a transaction-scoped PostgreSQL advisory lock, held until disposed. The session
/// ending (a gateway that dies) releases it, so no lock outlives its holder.
/// </summary>
public sealed class StreamTransitionLock : IAsyncDisposable
{
    private readonly MetadataDbContext _db;
    private readonly IDbContextTransaction _transaction;

    internal StreamTransitionLock(MetadataDbContext db, IDbContextTransaction transaction)
    {
        _db = db;
        _transaction = transaction;
    }

    /// <summary>Releases the lock (the transaction it lives in wrote nothing: it is rolled back).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _transaction.RollbackAsync();
        }
        catch (Exception ex) when (MetadataDatabase.IsTransient(ex) || ex is InvalidOperationException)
        {
            // The connection is gone, and the lock with it.
        }
        finally
        {
            await _transaction.DisposeAsync();
            await _db.DisposeAsync();
        }
    }
}
