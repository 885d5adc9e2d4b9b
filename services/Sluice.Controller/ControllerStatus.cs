using Microsoft.EntityFrameworkCore;
using Sluice.Metadata;

namespace Sluice.Controller;

/// <summary>
/// Which controller is active, read from PostgreSQL itself: the session holding the controller's
/// advisory lock names its controller in its application_name, so the answer is right even for a
/// controller that died a moment ago (its session, and lock, end with it).
/// </summary>
public sealed class ControllerStatus(IDbContextFactory<MetadataDbContext> contexts)
{
    /// <summary>The session advisory lock the active controller holds: an arbitrary constant naming "Sluice controller".</summary>
    public const long AdvisoryLockKey = 0x534C_5549_4345_0002;

    /// <summary>The application_name prefix of the lock holder's session; its controller id follows.</summary>
    public const string ApplicationNamePrefix = "sluice-controller:";

    /// <summary>The id of the active controller, or null when none is active.</summary>
    public async Task<string?> GetActiveControllerIdAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // A bigint advisory key shows in pg_locks as classid (high 32 bits), objid (low 32 bits), objsubid 1.
        var names = await db.Database.SqlQuery<string>($"""
            SELECT a.application_name AS "Value"
              FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
               AND l.classid::bigint = {AdvisoryLockKey >> 32} AND l.objid::bigint = {AdvisoryLockKey & 0xFFFF_FFFF}
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """).ToListAsync(cancellationToken);
        var name = names.FirstOrDefault();
        return name is null ? null
            : name.StartsWith(ApplicationNamePrefix, StringComparison.Ordinal) ? name[ApplicationNamePrefix.Length..]
            : name;
    }
}
