using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sluice.Core;
using Sluice.Metadata.Model;

namespace Sluice.Metadata;

// Tenant administration: create, list, describe, suspend/resume and delete. Every change runs in one transaction with
// what the caller stages alongside it (its audit entry) and with an AccessChange notification, so gateways stop
// (or start) accepting the tenant's tokens and keys as soon as it commits.
public sealed partial class TenantDirectory
{
    /// <summary>The longest tenant name (the column's length).</summary>
    public const int MaxNameLength = 64;

    /// <summary>The most tenants one <see cref="ListAsync"/> call returns.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>
    /// True for a valid tenant name: 1 to <see cref="MaxNameLength"/> characters of lower-case letters, digits,
    /// <c>-</c>, <c>_</c> and <c>.</c>, starting with a letter or digit (it travels in tokens, URLs and ARNs).
    /// </summary>
    public static bool IsValidName(string? name) => name is { Length: > 0 and <= MaxNameLength } && NamePattern().IsMatch(name);

    /// <summary>Why <paramref name="name"/> is not a valid tenant name, or null when it is.</summary>
    public static string? NameProblem(string? name) => IsValidName(name)
        ? null
        : $"Tenant name '{name}' is invalid: it must be 1 to {MaxNameLength} characters of a-z, 0-9, '-', '_' and '.', starting with a letter or digit.";

    /// <summary>
    /// Creates an active tenant with a fresh 12-digit account id; <paramref name="alongside"/> stages more on the same
    /// transaction. <see cref="SluiceErrorCode.AlreadyExists"/> when the name is taken, <see cref="SluiceErrorCode.InvalidArgument"/>
    /// when it is invalid.
    /// </summary>
    public async Task<Tenant> CreateAsync(string name, Action<MetadataDbContext, Tenant>? alongside = null, CancellationToken cancellationToken = default)
    {
        if (NameProblem(name) is { } problem)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, problem);
        }

        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var tenant = new Tenant
            {
                Id = Guid.CreateVersion7(),
                Name = name,
                AccountId = NewAccountId(),
                CreatedAt = timeProvider.GetUtcNow(),
            };
            db.Tenants.Add(tenant);
            alongside?.Invoke(db, tenant);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return tenant;
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique)
            {
                if (unique.ConstraintName?.Contains("name", StringComparison.Ordinal) == true || attempt >= MaxCreateAttempts)
                {
                    throw new SluiceException(SluiceErrorCode.AlreadyExists, $"Tenant '{name}' already exists.", ex);
                }

                // Drew an account id that is taken: draw another.
            }
        }
    }

    /// <summary>Tenants by name after <paramref name="exclusiveStartName"/>, at most <paramref name="limit"/>, and whether more follow.</summary>
    public async Task<(IReadOnlyList<Tenant> Tenants, bool HasMore)> ListAsync(string? exclusiveStartName, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxPageSize);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Tenants.AsNoTracking();
        if (!string.IsNullOrEmpty(exclusiveStartName))
        {
            query = query.Where(t => string.Compare(EF.Functions.Collate(t.Name, "C"), exclusiveStartName) > 0);
        }

        var page = await query.OrderBy(t => EF.Functions.Collate(t.Name, "C")).Take(limit + 1).ToListAsync(cancellationToken);
        var hasMore = page.Count > limit;
        if (hasMore)
        {
            page.RemoveAt(limit);
        }

        return (page, hasMore);
    }

    /// <summary>How many streams (in any status), access keys and principals the tenant has.</summary>
    public async Task<(int Streams, int AccessKeys, int Principals)> CountOwnedAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var streams = await db.Streams.CountAsync(s => s.TenantId == tenantId, cancellationToken);
        var keys = await db.AccessKeys.CountAsync(k => k.TenantId == tenantId, cancellationToken);
        var principals = await db.Principals.CountAsync(p => p.TenantId == tenantId, cancellationToken);
        return (streams, keys, principals);
    }

    /// <summary>
    /// Sets the tenant's status; null when there is no such tenant. When the status changes, <paramref name="alongside"/>
    /// stages more on the same transaction and every gateway is told to drop what it cached of the tenant and its keys.
    /// </summary>
    public async Task<(Tenant Tenant, bool Changed)?> SetStatusAsync(
        string name, TenantStatus status, Action<MetadataDbContext, Tenant>? alongside = null, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(status))
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, $"'{status}' is not a tenant status.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var tenant = await db.Tenants.FromSql($"SELECT * FROM tenants WHERE name = {name} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
        if (tenant is null)
        {
            return null;
        }

        if (tenant.Status == status)
        {
            return (tenant, false);
        }

        tenant.Status = status;
        alongside?.Invoke(db, tenant);
        await db.SaveChangesAsync(cancellationToken);
        await AccessChange.Tenant(tenant.Id).NotifyAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (tenant, true);
    }

    /// <summary>
    /// Deletes the tenant with its access keys, principals, ACL entries and usage (they cascade) unless it still has
    /// streams (in any status): then nothing changes and their number is returned. <paramref name="alongside"/> stages
    /// more on the same transaction. Null when there is no such tenant.
    /// </summary>
    public async Task<TenantDeletion?> DeleteAsync(string name, Action<MetadataDbContext, Tenant>? alongside = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Locked, so a stream created concurrently (its insert needs the tenant row's key share) waits for the decision.
        var tenant = await db.Tenants.FromSql($"SELECT * FROM tenants WHERE name = {name} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
        if (tenant is null)
        {
            return null;
        }

        var streams = await db.Streams.CountAsync(s => s.TenantId == tenant.Id, cancellationToken);
        if (streams > 0)
        {
            return new TenantDeletion(tenant, false, streams);
        }

        db.Tenants.Remove(tenant);
        alongside?.Invoke(db, tenant);
        await db.SaveChangesAsync(cancellationToken);
        await AccessChange.Tenant(tenant.Id).NotifyAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new TenantDeletion(tenant, true, 0);
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
