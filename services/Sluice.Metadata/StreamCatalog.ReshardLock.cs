using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Sluice.Metadata;

public sealed partial class StreamCatalog
{
    /// <summary>
    /// The advisory-lock class ("RSHD") of the per-stream reshard locks: the two-key lock space,
    /// apart from the schema migration's single-key lock.
    /// </summary>
    public const int ReshardLockClass = 0x52534844;

    /// <summary>
    /// Takes the stream's reshard lock, a PostgreSQL session advisory lock on a connection of its
    /// own, held until the returned lease is disposed, and released by PostgreSQL as soon as the
    /// holder's connection ends (a gateway that dies mid-reshard frees it). Null when another
    /// session holds it: a reshard of the stream is under way. Whoever holds it and finds the
    /// stream UPDATING knows that state was left by a reshard that died, not one in progress.
    /// </summary>
    public async Task<IAsyncDisposable?> TryLockReshardAsync(long streamId, CancellationToken cancellationToken = default)
    {
        string connectionString;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            // Unpooled: closing the connection must end the session, and with it the lock.
            connectionString = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false }.ConnectionString;
        }

        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@class, @key)", connection);
            command.Parameters.AddWithValue("class", ReshardLockClass);
            command.Parameters.AddWithValue("key", ReshardLockKey(streamId));
            if (await command.ExecuteScalarAsync(cancellationToken) is true)
            {
                return connection;
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    /// <summary>The second key of a stream's reshard lock (stream ids beyond 2^31 share keys: a spurious "in use", never a missed one).</summary>
    public static int ReshardLockKey(long streamId) => unchecked((int)streamId);
}
