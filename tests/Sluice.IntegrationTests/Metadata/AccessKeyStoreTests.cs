using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Sluice.Core;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.IntegrationTests.Metadata;

/// <summary>Access keys in a real PostgreSQL: secrets only ever stored encrypted, cached lookups, tenant scoping.</summary>
[Collection(MetadataDatabaseCollection.Name)]
public sealed class AccessKeyStoreTests(MetadataDatabaseFixture database)
{
    private static readonly string MasterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly AccessKeyStoreOptions Options = new()
    {
        CacheTtl = TimeSpan.FromSeconds(30),
        NegativeCacheTtl = TimeSpan.FromSeconds(5),
        LastUsedWriteInterval = TimeSpan.FromMinutes(1),
    };

    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly ListLogger<AccessKeyStore> _log = new();

    [Fact]
    public async Task Created_key_hands_out_its_secret_once_and_stores_only_ciphertext()
    {
        var tenant = await database.CreateTenantAsync();
        var store = NewStore();

        var key = await store.CreateAsync(tenant, "ci pipeline");

        Assert.Matches("^SLU[A-Z2-7]{17}$", key.AccessKeyId);
        Assert.Matches("^[A-Za-z0-9+/]{40}$", key.SecretAccessKey);
        Assert.Equal(tenant, key.TenantId);
        Assert.DoesNotContain(key.SecretAccessKey, key.ToString(), StringComparison.Ordinal);
        var stored = await database.ScalarAsync<byte[]>("SELECT encrypted_secret FROM access_keys WHERE id = @id", ("id", key.AccessKeyId));
        Assert.Equal(AccessKeyStore.SecretLength + SecretProtector.Overhead, stored.Length);
        Assert.Equal(-1, stored.AsSpan().IndexOf(Encoding.ASCII.GetBytes(key.SecretAccessKey).AsSpan(0, 8)));
        var listed = Assert.Single(await store.ListAsync(tenant));
        Assert.Equal(new AccessKeyInfo(key.AccessKeyId, tenant, "ci pipeline", AccessKeyStatus.Active, key.CreatedAt, null), listed);
    }

    [Fact]
    public async Task Active_key_is_found_with_its_tenant_and_plain_secret()
    {
        var tenant = await database.CreateTenantAsync();
        var key = await NewStore().CreateAsync(tenant, null);

        // Another gateway: nothing cached, same master key.
        var found = await NewStore().FindActiveAsync(key.AccessKeyId);

        Assert.NotNull(found);
        Assert.Equal(key.SecretAccessKey, found.SecretAccessKey);
        Assert.Equal(tenant, found.Tenant.Id);
        Assert.Equal(TenantStatus.Active, found.Tenant.Status);
        Assert.DoesNotContain(key.SecretAccessKey, found.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SLUNOSUCHKEY23456723")]
    [InlineData("AKIDEXAMPLE")]
    [InlineData("slu-not-an-id-at-all")]
    [InlineData("")]
    public async Task Unknown_or_malformed_id_is_not_found(string accessKeyId) =>
        Assert.Null(await NewStore().FindActiveAsync(accessKeyId));

    [Fact]
    public async Task Key_disabled_on_another_gateway_stops_working_here_within_the_cache_lifetime()
    {
        var tenant = await database.CreateTenantAsync();
        var here = NewStore();
        var elsewhere = NewStore();
        var key = await here.CreateAsync(tenant, "app");
        Assert.NotNull(await here.FindActiveAsync(key.AccessKeyId));

        Assert.True(await elsewhere.SetStatusAsync(tenant, key.AccessKeyId, AccessKeyStatus.Inactive));

        _time.Advance(Options.CacheTtl - TimeSpan.FromSeconds(1));
        Assert.NotNull(await here.FindActiveAsync(key.AccessKeyId));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await here.FindActiveAsync(key.AccessKeyId));
        Assert.Null(await elsewhere.FindActiveAsync(key.AccessKeyId));
        Assert.Equal(AccessKeyStatus.Inactive, Assert.Single(await here.ListAsync(tenant)).Status);
    }

    [Fact]
    public async Task Key_disabled_or_deleted_on_this_gateway_stops_working_at_once()
    {
        var tenant = await database.CreateTenantAsync();
        var store = NewStore();
        var disabled = await store.CreateAsync(tenant, "a");
        var deleted = await store.CreateAsync(tenant, "b");
        Assert.NotNull(await store.FindActiveAsync(disabled.AccessKeyId));
        Assert.NotNull(await store.FindActiveAsync(deleted.AccessKeyId));

        Assert.True(await store.SetStatusAsync(tenant, disabled.AccessKeyId, AccessKeyStatus.Inactive));
        Assert.True(await store.DeleteAsync(tenant, deleted.AccessKeyId));

        Assert.Null(await store.FindActiveAsync(disabled.AccessKeyId));
        Assert.Null(await store.FindActiveAsync(deleted.AccessKeyId));
        Assert.True(await store.SetStatusAsync(tenant, disabled.AccessKeyId, AccessKeyStatus.Active));
        Assert.NotNull(await store.FindActiveAsync(disabled.AccessKeyId));
        Assert.Equal(disabled.AccessKeyId, Assert.Single(await store.ListAsync(tenant)).AccessKeyId);
    }

    [Fact]
    public async Task Key_deleted_on_another_gateway_stops_working_here_within_the_cache_lifetime()
    {
        var tenant = await database.CreateTenantAsync();
        var here = NewStore();
        var key = await here.CreateAsync(tenant, null);
        Assert.NotNull(await here.FindActiveAsync(key.AccessKeyId));

        Assert.True(await NewStore().DeleteAsync(tenant, key.AccessKeyId));

        Assert.NotNull(await here.FindActiveAsync(key.AccessKeyId));
        _time.Advance(Options.CacheTtl);
        Assert.Null(await here.FindActiveAsync(key.AccessKeyId));
    }

    [Fact]
    public async Task Lookups_within_the_cache_lifetime_do_not_reach_postgresql()
    {
        var tenant = await database.CreateTenantAsync();
        var store = NewStore();
        var key = await store.CreateAsync(tenant, null);
        var first = await store.FindActiveAsync(key.AccessKeyId);

        // Gone from the table, yet served from memory: the request path did not query.
        await database.ExecuteAsync("DELETE FROM access_keys WHERE id = @id", ("id", key.AccessKeyId));
        var again = store.FindActiveAsync(key.AccessKeyId);

        // Answered synchronously from the cache, with the very same object.
        Assert.True(again.IsCompletedSuccessfully);
        Assert.Same(first, await again);
    }

    [Fact]
    public async Task Concurrent_lookups_of_one_key_share_one_answer()
    {
        var tenant = await database.CreateTenantAsync();
        var key = await NewStore().CreateAsync(tenant, null);
        var store = NewStore();

        var found = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => store.FindActiveAsync(key.AccessKeyId).AsTask()));

        Assert.All(found, f => Assert.Same(found[0], f));
        Assert.Equal(key.SecretAccessKey, found[0]!.SecretAccessKey);
    }

    [Fact]
    public async Task Key_of_a_suspended_tenant_does_not_work()
    {
        var tenant = await database.CreateTenantAsync();
        var key = await NewStore().CreateAsync(tenant, null);

        await database.ExecuteAsync("UPDATE tenants SET status = 'Suspended' WHERE id = @id", ("id", tenant));

        Assert.Null(await NewStore().FindActiveAsync(key.AccessKeyId));
    }

    [Fact]
    public async Task Another_tenant_cannot_see_disable_or_delete_a_key()
    {
        var owner = await database.CreateTenantAsync();
        var other = await database.CreateTenantAsync();
        var store = NewStore();
        var key = await store.CreateAsync(owner, null);

        Assert.Empty(await store.ListAsync(other));
        Assert.False(await store.SetStatusAsync(other, key.AccessKeyId, AccessKeyStatus.Inactive));
        Assert.False(await store.DeleteAsync(other, key.AccessKeyId));

        Assert.NotNull(await NewStore().FindActiveAsync(key.AccessKeyId));
        Assert.Equal(AccessKeyStatus.Active, Assert.Single(await store.ListAsync(owner)).Status);
    }

    [Fact]
    public async Task Ciphertext_copied_to_another_key_row_does_not_decrypt()
    {
        var tenant = await database.CreateTenantAsync();
        var store = NewStore();
        var victim = await store.CreateAsync(tenant, "victim");
        var attacker = await store.CreateAsync(tenant, "attacker");

        await database.ExecuteAsync(
            "UPDATE access_keys SET encrypted_secret = (SELECT encrypted_secret FROM access_keys WHERE id = @from) WHERE id = @to",
            ("from", victim.AccessKeyId), ("to", attacker.AccessKeyId));

        Assert.Null(await NewStore().FindActiveAsync(attacker.AccessKeyId));
        var error = Assert.Single(_log.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains(attacker.AccessKeyId, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(victim.SecretAccessKey, error.Message, StringComparison.Ordinal);
        Assert.NotNull(await NewStore().FindActiveAsync(victim.AccessKeyId));
    }

    [Fact]
    public async Task Gateway_with_another_master_key_cannot_read_secrets()
    {
        var tenant = await database.CreateTenantAsync();
        var key = await NewStore().CreateAsync(tenant, null);
        var otherKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        var wrong = NewStore(new SecretProtectionOptions { MasterKey = otherKey });

        Assert.Null(await wrong.FindActiveAsync(key.AccessKeyId));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("does not decrypt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rotated_master_key_still_reads_keys_created_before_the_rotation()
    {
        var tenant = await database.CreateTenantAsync();
        var key = await NewStore().CreateAsync(tenant, null);
        var rotated = NewStore(new SecretProtectionOptions
        {
            MasterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            MasterKeyVersion = 2,
            PreviousMasterKeys = new Dictionary<int, string> { [1] = MasterKey },
        });

        var found = await rotated.FindActiveAsync(key.AccessKeyId);
        var created = await rotated.CreateAsync(tenant, "after rotation");

        Assert.Equal(key.SecretAccessKey, found?.SecretAccessKey);
        Assert.Equal(2, await database.ScalarAsync<int>("SELECT get_byte(encrypted_secret, 0) FROM access_keys WHERE id = @id", ("id", created.AccessKeyId)));
    }

    [Fact]
    public async Task Key_for_a_missing_tenant_is_not_created()
    {
        var error = await Assert.ThrowsAsync<SluiceException>(() => NewStore().CreateAsync(Guid.NewGuid(), null));

        Assert.Equal(SluiceErrorCode.NotFound, error.Code);
    }

    [Fact]
    public async Task Overlong_description_is_refused()
    {
        var tenant = await database.CreateTenantAsync();

        var error = await Assert.ThrowsAsync<SluiceException>(() => NewStore().CreateAsync(tenant, new string('x', AccessKeyStore.MaxDescriptionLength + 1)));

        Assert.Equal(SluiceErrorCode.InvalidArgument, error.Code);
    }

    [Fact]
    public async Task Deleting_a_tenant_deletes_its_keys()
    {
        var tenant = await database.CreateTenantAsync();
        var key = await NewStore().CreateAsync(tenant, null);

        await database.ExecuteAsync("DELETE FROM tenants WHERE id = @id", ("id", tenant));

        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM access_keys WHERE id = @id", ("id", key.AccessKeyId)));
    }

    [Fact]
    public async Task Last_use_is_written_at_most_once_per_interval_and_never_backwards()
    {
        var tenant = await database.CreateTenantAsync();
        var store = NewStore();
        var key = await store.CreateAsync(tenant, null);
        var firstUse = _time.GetUtcNow();

        store.TouchLastUsed(key.AccessKeyId);
        await WaitForLastUsedAsync(key.AccessKeyId, firstUse);

        // Within the interval: noted in memory only.
        _time.Advance(TimeSpan.FromSeconds(10));
        store.TouchLastUsed(key.AccessKeyId);
        Assert.Equal(firstUse, await LastUsedAsync(key.AccessKeyId));

        // A flush (the next interval, or shutdown) writes the latest time.
        await store.FlushLastUsedAsync();
        Assert.Equal(firstUse.AddSeconds(10), await LastUsedAsync(key.AccessKeyId));

        // An older time noted elsewhere does not move it back.
        var lagging = NewStore(time: new ManualTimeProvider(firstUse));
        lagging.TouchLastUsed(key.AccessKeyId);
        await lagging.FlushLastUsedAsync();
        Assert.Equal(firstUse.AddSeconds(10), await LastUsedAsync(key.AccessKeyId));
        Assert.Equal(firstUse.AddSeconds(10), Assert.Single(await store.ListAsync(tenant)).LastUsedAt);
    }

    private AccessKeyStore NewStore(SecretProtectionOptions? protection = null, TimeProvider? time = null) =>
        new(database.Contexts, new SecretProtector(protection ?? new SecretProtectionOptions { MasterKey = MasterKey }), time ?? _time, _log, Options);

    private async Task<DateTimeOffset?> LastUsedAsync(string accessKeyId)
    {
        var value = await database.ScalarAsync<object>("SELECT last_used_at FROM access_keys WHERE id = @id", ("id", accessKeyId));
        return value is DateTime utc ? new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)) : null;
    }

    private async Task WaitForLastUsedAsync(string accessKeyId, DateTimeOffset expected) =>
        await Wait.UntilAsync(async () => await LastUsedAsync(accessKeyId) == expected, TimeSpan.FromSeconds(10), () => $"last_used_at of {accessKeyId} to be {expected:O}");
}
