using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Sluice.Metadata;

/// <summary>Schema migration and reachability of the metadata store.</summary>
public sealed partial class MetadataDatabase(IDbContextFactory<MetadataDbContext> contexts, ILogger<MetadataDatabase> logger)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    // An arbitrary constant naming "Sluice schema migration" among advisory locks.
    private const long MigrationLockKey = 0x534C_5549_4345_0001;

    /// <summary>
    /// Applies pending migrations, waiting up to <paramref name="waitForServer"/> for PostgreSQL to
    /// accept connections. EF Core holds a migration lock, so hosts starting together are safe.
    /// </summary>
    public async Task MigrateAsync(TimeSpan waitForServer, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + waitForServer;
        while (true)
        {
            try
            {
                await using var db = await contexts.CreateDbContextAsync(cancellationToken);

                // Hosts start together: one migrates while the others wait on a session-level
                // advisory lock, then find nothing pending. EF Core's own migration lock did not
                // keep two hosts from both creating the same table on a fresh database.
                await db.Database.OpenConnectionAsync(cancellationToken);
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
                try
                {
                    await db.Database.MigrateAsync(cancellationToken);
                }
                finally
                {
                    await ReleaseMigrationLockAsync(db);
                }

                LogMigrated(logger);
                return;
            }
            catch (Exception ex) when (IsTransient(ex) && DateTime.UtcNow < deadline)
            {
                LogWaiting(logger, ex.Message);
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
    }

    private static async Task ReleaseMigrationLockAsync(MetadataDbContext db)
    {
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationLockKey})");
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The session is gone, and the lock with it.
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>True when a trivial query succeeds within the token's time.</summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            return await db.Database.CanConnectAsync(cancellationToken);
        }
        catch (Exception ex) when (IsTransient(ex))
        {
            return false;
        }
    }

    /// <summary>True for failures that mean "PostgreSQL is not reachable now" rather than a bug.</summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is System.Net.Sockets.SocketException || npgsql is PostgresException { SqlState: "57P03" or "57P01" or "53300" },
        System.Net.Sockets.SocketException => true,
        TimeoutException => true,
        InvalidOperationException { InnerException: { } inner } => IsTransient(inner),
        DbUpdateException { InnerException: { } inner } => IsTransient(inner),
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Metadata schema is up to date")]
    private static partial void LogMigrated(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for PostgreSQL: {Reason}")]
    private static partial void LogWaiting(ILogger logger, string reason);
}
