using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>
/// Stream consumers (Kinesis enhanced fan-out): registration with per-stream limits, the
/// CREATING → ACTIVE and DELETING → gone transitions, and the lease that keeps one subscription
/// per consumer and shard across every gateway. Scoped by tenant like <see cref="StreamCatalog"/>:
/// another tenant's consumer is indistinguishable from a missing one.
/// </summary>
public sealed class ConsumerCatalog(IDbContextFactory<MetadataDbContext> contexts, TimeProvider timeProvider)
{
    /// <summary>Longest consumer name (Kinesis' ConsumerName).</summary>
    public const int MaxConsumerNameLength = 128;

    /// <summary>
    /// Registers <paramref name="consumerName"/> with the tenant's stream, CREATING, unless the
    /// name is taken or a limit is reached. Registrations of one stream are serialised by a row
    /// lock on the stream, so concurrent ones cannot pass the limits together.
    /// </summary>
    public async Task<ConsumerRegistration> RegisterAsync(
        Guid tenantId, string streamName, string consumerName, int maxConsumers, int maxCreating, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var streamId = await db.Database
            .SqlQuery<long>($"SELECT id AS \"Value\" FROM streams WHERE tenant_id = {tenantId} AND name = {streamName} FOR UPDATE")
            .ToListAsync(cancellationToken);
        if (streamId.Count == 0)
        {
            return new(ConsumerRegistrationOutcome.StreamNotFound);
        }

        var existing = await db.StreamConsumers.AsNoTracking()
            .Where(c => c.StreamId == streamId[0])
            .Select(c => new { c.Name, c.Status })
            .ToListAsync(cancellationToken);
        if (existing.Any(c => c.Name == consumerName))
        {
            return new(ConsumerRegistrationOutcome.NameInUse);
        }

        if (existing.Count >= maxConsumers)
        {
            return new(ConsumerRegistrationOutcome.ConsumerLimit);
        }

        if (existing.Count(c => c.Status == ConsumerStatus.Creating) >= maxCreating)
        {
            return new(ConsumerRegistrationOutcome.CreatingLimit);
        }

        var consumer = new StreamConsumer
        {
            StreamId = streamId[0],
            Name = consumerName,
            Status = ConsumerStatus.Creating,
            CreatedAt = TruncateToMicroseconds(timeProvider.GetUtcNow()),
        };
        db.StreamConsumers.Add(consumer);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return new(ConsumerRegistrationOutcome.NameInUse);
        }

        return new(ConsumerRegistrationOutcome.Registered, consumer);
    }

    /// <summary>The tenant's consumer of <paramref name="streamName"/> with its stream, or null.</summary>
    public async Task<StreamConsumer?> FindAsync(Guid tenantId, string streamName, string consumerName, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.StreamConsumers.AsNoTracking()
            .Include(c => c.Stream)
            .SingleOrDefaultAsync(c => c.Stream!.TenantId == tenantId && c.Stream.Name == streamName && c.Name == consumerName, cancellationToken);
    }

    /// <summary>
    /// One page of the consumers of the tenant's stream in registration order, after the consumer
    /// with id <paramref name="afterId"/>; null when there is no such stream.
    /// </summary>
    public async Task<(StreamDefinition Stream, IReadOnlyList<StreamConsumer> Consumers, bool HasMore)?> ListAsync(
        Guid tenantId, string streamName, long afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var stream = await db.Streams.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenantId && s.Name == streamName, cancellationToken);
        if (stream is null)
        {
            return null;
        }

        var page = await db.StreamConsumers.AsNoTracking()
            .Where(c => c.StreamId == stream.Id && c.Id > afterId)
            .OrderBy(c => c.Id)
            .Take(limit + 1)
            .ToListAsync(cancellationToken);
        var hasMore = page.Count > limit;
        if (hasMore)
        {
            page.RemoveAt(page.Count - 1);
        }

        return (stream, page, hasMore);
    }

    /// <summary>
    /// Marks the tenant's consumer DELETING (it is removed after the deletion delay, see
    /// <see cref="AdvanceLifecycleAsync"/>) and returns it; null when there is no such consumer.
    /// </summary>
    public async Task<StreamConsumer?> DeregisterAsync(Guid tenantId, string streamName, string consumerName, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var consumer = await db.StreamConsumers
            .Include(c => c.Stream)
            .SingleOrDefaultAsync(c => c.Stream!.TenantId == tenantId && c.Stream.Name == streamName && c.Name == consumerName, cancellationToken);
        if (consumer is null)
        {
            return null;
        }

        if (consumer.Status != ConsumerStatus.Deleting)
        {
            consumer.Status = ConsumerStatus.Deleting;
            consumer.DeletingSince = TruncateToMicroseconds(timeProvider.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
        }

        return consumer;
    }

    /// <summary>Consumers registered with the stream, in any status (DescribeStreamSummary's ConsumerCount).</summary>
    public async Task<int> CountAsync(long streamId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.StreamConsumers.CountAsync(c => c.StreamId == streamId, cancellationToken);
    }

    /// <summary>Consumers registered with the tenant's stream of that name, in any status (0 when there is no such stream).</summary>
    public async Task<int> CountAsync(Guid tenantId, string streamName, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.StreamConsumers.CountAsync(c => c.Stream!.TenantId == tenantId && c.Stream.Name == streamName, cancellationToken);
    }

    /// <summary>
    /// Moves every consumer CREATING for at least <paramref name="activationDelay"/> to ACTIVE and
    /// removes every one DELETING for at least <paramref name="deletionDelay"/>. Idempotent, so
    /// every gateway may run it. Returns when the next such change is due, or null when none is pending.
    /// </summary>
    public async Task<DateTimeOffset?> AdvanceLifecycleAsync(TimeSpan activationDelay, TimeSpan deletionDelay, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        var activateBefore = now - activationDelay;
        var deleteBefore = now - deletionDelay;
        await db.StreamConsumers
            .Where(c => c.Status == ConsumerStatus.Creating && c.CreatedAt <= activateBefore)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.Status, ConsumerStatus.Active), cancellationToken);
        await db.StreamConsumers
            .Where(c => c.Status == ConsumerStatus.Deleting && c.DeletingSince <= deleteBefore)
            .ExecuteDeleteAsync(cancellationToken);

        var nextActivation = await db.StreamConsumers.Where(c => c.Status == ConsumerStatus.Creating).MinAsync(c => (DateTimeOffset?)c.CreatedAt, cancellationToken);
        var nextDeletion = await db.StreamConsumers.Where(c => c.Status == ConsumerStatus.Deleting).MinAsync(c => c.DeletingSince, cancellationToken);
        DateTimeOffset? due = nextActivation + activationDelay;
        if (nextDeletion + deletionDelay is { } deletionDue && (due is null || deletionDue < due))
        {
            due = deletionDue;
        }

        return due;
    }

    /// <summary>
    /// Takes the consumer's shard for <paramref name="subscriptionId"/>: granted when no subscription
    /// holds it, or when the holder started at least <paramref name="takeoverAfter"/> ago (by the
    /// database's clock, so every gateway agrees). False when a younger subscription holds it.
    /// </summary>
    /// <returns>Null when the consumer no longer exists.</returns>
    public async Task<bool?> TryAcquireSubscriptionAsync(SubscriptionLease lease, TimeSpan takeoverAfter, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        try
        {
            var rows = await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO consumer_subscriptions (consumer_id, shard_index, subscription_id, started_at)
                VALUES ({lease.ConsumerId}, {lease.ShardIndex}, {lease.SubscriptionId}, now())
                ON CONFLICT (consumer_id, shard_index) DO UPDATE
                    SET subscription_id = excluded.subscription_id, started_at = excluded.started_at
                    WHERE consumer_subscriptions.started_at <= excluded.started_at - {takeoverAfter}
                """,
                cancellationToken);
            return rows > 0;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return null;
        }
    }

    /// <summary>Gives up the shard if <paramref name="subscriptionId"/> still holds it.</summary>
    public async Task ReleaseSubscriptionAsync(Guid subscriptionId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.ConsumerSubscriptions.Where(s => s.SubscriptionId == subscriptionId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Where each of <paramref name="leases"/> stands, in two queries however many there are.</summary>
    public async Task<Dictionary<Guid, SubscriptionLeaseState>> CheckSubscriptionsAsync(IReadOnlyCollection<SubscriptionLease> leases, CancellationToken cancellationToken = default)
    {
        var states = new Dictionary<Guid, SubscriptionLeaseState>(leases.Count);
        if (leases.Count == 0)
        {
            return states;
        }

        var consumerIds = leases.Select(l => l.ConsumerId).Distinct().ToArray();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var active = (await db.StreamConsumers.AsNoTracking()
            .Where(c => consumerIds.Contains(c.Id) && c.Status == ConsumerStatus.Active)
            .Select(c => c.Id)
            .ToListAsync(cancellationToken)).ToHashSet();
        var holders = await db.ConsumerSubscriptions.AsNoTracking()
            .Where(s => consumerIds.Contains(s.ConsumerId))
            .ToDictionaryAsync(s => (s.ConsumerId, s.ShardIndex), s => s.SubscriptionId, cancellationToken);
        foreach (var lease in leases)
        {
            states[lease.SubscriptionId] = !active.Contains(lease.ConsumerId)
                ? SubscriptionLeaseState.ConsumerGone
                : holders.TryGetValue((lease.ConsumerId, lease.ShardIndex), out var holder) && holder == lease.SubscriptionId
                    ? SubscriptionLeaseState.Held
                    : SubscriptionLeaseState.TakenOver;
        }

        return states;
    }

    // PostgreSQL keeps microseconds: what is stored is what is read back (and compared) later.
    private static DateTimeOffset TruncateToMicroseconds(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % 10), TimeSpan.Zero);
}
