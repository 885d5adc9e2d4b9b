namespace Sluice.Metadata;

/// <summary>Caching and bookkeeping of <see cref="AccessKeyStore"/>, bound from <c>Sluice:AccessKeys</c>.</summary>
public sealed record AccessKeyStoreOptions
{
    public const string Section = "Sluice:AccessKeys";

    public static AccessKeyStoreOptions Default { get; } = new();

    /// <summary>
    /// How long a found key (with its decrypted secret) is served from memory. A key disabled or
    /// deleted on another gateway keeps working here for at most this long.
    /// </summary>
    public TimeSpan CacheTtl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long "no such active key" is remembered, so unknown ids do not reach PostgreSQL on every request.</summary>
    public TimeSpan NegativeCacheTtl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The most key ids cached at once; beyond it the cache sheds entries.</summary>
    public int MaxCachedKeys { get; init; } = 10_000;

    /// <summary>The shortest time between two writes of a key's <c>last_used_at</c>.</summary>
    public TimeSpan LastUsedWriteInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate()
    {
        if (CacheTtl < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CacheTtl), CacheTtl, "Must not be negative.");
        }

        if (NegativeCacheTtl < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(NegativeCacheTtl), NegativeCacheTtl, "Must not be negative.");
        }

        if (MaxCachedKeys < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCachedKeys), MaxCachedKeys, "Must be at least 1.");
        }

        if (LastUsedWriteInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LastUsedWriteInterval), LastUsedWriteInterval, "Must be positive.");
        }
    }
}
