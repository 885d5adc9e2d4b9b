using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>Looks up and creates tenants.</summary>
public sealed partial class TenantDirectory(IDbContextFactory<MetadataDbContext> contexts, TimeProvider timeProvider)
{
    private const int AccountIdDigits = 12;
    private const int MaxCreateAttempts = 5;

    /// <summary>The tenant with this name, or null.</summary>
    public async Task<Tenant?> FindByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Name == name, cancellationToken);
    }

    /// <summary>The tenant with this name, created (with a fresh account id) when missing.</summary>
    public async Task<Tenant> EnsureAsync(string name, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var existing = await FindByNameAsync(name, cancellationToken);
            if (existing is not null)
            {
                return existing;
            }

            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var tenant = new Tenant
            {
                Id = Guid.CreateVersion7(),
                Name = name,
                AccountId = NewAccountId(),
                CreatedAt = timeProvider.GetUtcNow(),
            };
            db.Tenants.Add(tenant);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return tenant;
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } && attempt < MaxCreateAttempts)
            {
                // Another process created the same tenant (or drew the same account id): look again.
            }
        }
    }

    private static string NewAccountId()
    {
        Span<char> digits = stackalloc char[AccountIdDigits];
        digits[0] = (char)('1' + RandomNumberGenerator.GetInt32(9));
        for (var i = 1; i < digits.Length; i++)
        {
            digits[i] = (char)('0' + RandomNumberGenerator.GetInt32(10));
        }

        return new string(digits);
    }
}
