using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sluice.Core;
using Sluice.Gateway.Schemas;
using Sluice.Metadata;
using Sluice.Schemas;

namespace Sluice.Gateway.Tests.Schemas;

public sealed class SchemaCacheTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private readonly FakeSchemaSource _source = new();
    private readonly ManualUtcClock _clock = new();
    private readonly Guid _tenant = Guid.NewGuid();
    private int _parses;

    private SchemaCache NewCache() => new(_source, Parse, () => Ttl, _clock, NullLogger.Instance);

    // "accepts:X" parses to a schema accepting records that contain X; "broken" does not parse.
    private FakeSchema Parse(SchemaType type, string text)
    {
        Interlocked.Increment(ref _parses);
        return text.StartsWith("accepts:", StringComparison.Ordinal)
            ? new FakeSchema("Order", type, text["accepts:".Length..])
            : throw new SchemaParseException($"'{text}' is not a schema");
    }

    /// <summary>The snapshot when the get completed without waiting (from the cache), else null.</summary>
    private static SubjectSnapshot? ServedFromCache(ValueTask<SubjectSnapshot> get)
    {
        if (get.IsCompletedSuccessfully)
        {
            return get.Result;
        }

        _ = get.AsTask();
        return null;
    }

    private static SubjectSchema Version(string subject, int version, int id, string text = "accepts:ok", string type = "AVRO") =>
        new(subject, version, id, type, text, "[]");

    [Fact]
    public async Task A_loaded_subject_is_served_from_the_cache_synchronously()
    {
        _source.Set(_tenant, "orders", Version("orders", 1, 7));
        using var cache = NewCache();
        var first = await cache.GetAsync(_tenant, "orders");

        Assert.Same(first, ServedFromCache(cache.GetAsync(_tenant, "orders")));
        Assert.Equal(1, _source.SubjectReads);
        Assert.True(first.TryGetVersion(7, out var version));
        Assert.Equal(1, version.Version);
    }

    [Fact]
    public async Task Concurrent_puts_for_a_subject_not_cached_load_it_once()
    {
        _source.Set(_tenant, "orders", Version("orders", 1, 7));
        _source.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cache = NewCache();
        var gets = Enumerable.Range(0, 20).Select(_ => cache.GetAsync(_tenant, "orders").AsTask()).ToArray();
        _source.Gate.SetResult();
        var snapshots = await Task.WhenAll(gets);

        Assert.Equal(1, _source.SubjectReads);
        Assert.All(snapshots, s => Assert.Same(snapshots[0], s));
    }

    [Fact]
    public async Task A_change_of_a_subject_drops_that_subject_only()
    {
        var other = Guid.NewGuid();
        _source.Set(_tenant, "orders", Version("orders", 1, 7));
        _source.Set(_tenant, "payments", Version("payments", 1, 8));
        _source.Set(other, "orders", Version("orders", 1, 9));
        using var cache = NewCache();
        await cache.GetAsync(_tenant, "orders");
        await cache.GetAsync(_tenant, "payments");
        await cache.GetAsync(other, "orders");

        _source.Set(_tenant, "orders", Version("orders", 1, 7), Version("orders", 2, 10));
        cache.OnSchemaChanged(new SchemaChange(_tenant, "orders"));

        var orders = await cache.GetAsync(_tenant, "orders");
        Assert.Equal(2, orders.Latest!.Version);
        Assert.NotNull(ServedFromCache(cache.GetAsync(_tenant, "payments")));
        Assert.NotNull(ServedFromCache(cache.GetAsync(other, "orders")));
        Assert.Equal(4, _source.SubjectReads);
    }

    [Fact]
    public async Task A_load_that_read_before_a_change_is_not_kept()
    {
        _source.Set(_tenant, "orders", Version("orders", 1, 7));
        _source.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cache = NewCache();
        var early = cache.GetAsync(_tenant, "orders").AsTask();
        await Wait.UntilAsync(() => _source.SubjectReads == 1);

        // The version is deleted while the load that read it is under way.
        _source.Set(_tenant, "orders");
        cache.OnSchemaChanged(new SchemaChange(_tenant, "orders"));
        var gate = _source.Gate;
        _source.Gate = null;
        gate.SetResult();
        Assert.NotNull((await early).Latest);

        var after = await cache.GetAsync(_tenant, "orders");
        Assert.Null(after.Latest);
        Assert.Equal(2, _source.SubjectReads);
    }

    [Fact]
    public async Task A_reset_drops_every_subject()
    {
        _source.Set(_tenant, "orders", Version("orders", 1, 7));
        using var cache = NewCache();
        await cache.GetAsync(_tenant, "orders");
        cache.OnReset();
        await cache.GetAsync(_tenant, "orders");
        Assert.Equal(2, _source.SubjectReads);
    }

    [Fact]
    public async Task An_expired_subject_is_read_again_and_an_aging_one_is_refreshed_ahead()
    {
        _source.Set(_tenant, "orders", Version("orders", 1, 7));
        using var cache = NewCache();
        var first = await cache.GetAsync(_tenant, "orders");

        _clock.Advance(Ttl / 2 + TimeSpan.FromSeconds(1));
        Assert.Same(first, await cache.GetAsync(_tenant, "orders"));
        await Wait.UntilAsync(() => _source.SubjectReads == 2);

        _clock.Advance(Ttl + TimeSpan.FromSeconds(1));
        _source.Set(_tenant, "orders", Version("orders", 1, 7), Version("orders", 2, 8));
        var reread = await cache.GetAsync(_tenant, "orders");
        Assert.Equal(2, reread.Latest!.Version);
    }

    [Fact]
    public async Task Nothing_cached_and_no_registry_fails_closed_as_unavailable()
    {
        _source.Failure = new NpgsqlException("connection refused");
        using var cache = NewCache();
        var error = await Assert.ThrowsAsync<SluiceException>(() => cache.GetAsync(_tenant, "orders").AsTask());
        Assert.Equal(SluiceErrorCode.Unavailable, error.Code);
        Assert.Contains("subject 'orders'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_subject_is_still_used_while_the_registry_is_away()
    {
        _source.Set(_tenant, "orders", Version("orders", 1, 7));
        using var cache = NewCache();
        var first = await cache.GetAsync(_tenant, "orders");
        _clock.Advance(Ttl * 2);
        _source.Failure = new NpgsqlException("connection refused");
        Assert.Same(first, await cache.GetAsync(_tenant, "orders"));

        // A change dropped it: then nothing is cached, and the records are refused.
        cache.OnSchemaChanged(new SchemaChange(_tenant, "orders"));
        await Assert.ThrowsAsync<SluiceException>(() => cache.GetAsync(_tenant, "orders").AsTask());
    }

    [Fact]
    public async Task A_schema_is_parsed_once_per_tenant_and_id_whichever_subject_uses_it()
    {
        var other = Guid.NewGuid();
        _source.Set(_tenant, "orders", Version("orders", 1, 7));
        _source.Set(_tenant, "archive", Version("archive", 3, 7));
        _source.Set(other, "orders", Version("orders", 1, 7));
        using var cache = NewCache();
        var orders = await cache.GetAsync(_tenant, "orders");
        var archive = await cache.GetAsync(_tenant, "archive");
        Assert.Same(orders.Latest!.Schema, archive.Latest!.Schema);
        Assert.Equal(1, _parses);

        var foreign = await cache.GetAsync(other, "orders");
        Assert.NotSame(orders.Latest.Schema, foreign.Latest!.Schema);
        Assert.Equal(2, _parses);

        cache.OnReset();
        await cache.GetAsync(_tenant, "orders");
        Assert.Equal(2, _parses);
    }

    [Fact]
    public async Task A_stored_schema_that_does_not_parse_makes_its_version_unusable_not_the_subject()
    {
        _source.Set(_tenant, "orders", Version("orders", 1, 7), Version("orders", 2, 8, "broken"), Version("orders", 3, 9, "accepts:ok", "XML"));
        using var cache = NewCache();
        var snapshot = await cache.GetAsync(_tenant, "orders");

        Assert.True(snapshot.TryGetVersion(7, out var usable));
        Assert.NotNull(usable.Schema);
        Assert.True(snapshot.TryGetVersion(8, out var broken));
        Assert.Contains("'broken' is not a schema", broken.Unusable, StringComparison.Ordinal);
        Assert.Contains("'XML' is not a schema type", snapshot.Latest!.Unusable, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_schema_by_id_is_the_tenants_own_or_none()
    {
        _source.Set(_tenant, "orders", Version("orders", 1, 7));
        using var cache = NewCache();

        var (schema, unusable) = await cache.GetSchemaAsync(_tenant, 7);
        Assert.NotNull(schema);
        Assert.Null(unusable);
        Assert.Equal((null, null), await cache.GetSchemaAsync(Guid.NewGuid(), 7));
        Assert.Equal((null, null), await cache.GetSchemaAsync(_tenant, 8));

        // Parsed once: asked again, it is not read again.
        var reads = _source.SchemaReads;
        await cache.GetSchemaAsync(_tenant, 7);
        Assert.Equal(reads, _source.SchemaReads);

        _source.Failure = new NpgsqlException("connection refused");
        var error = await Assert.ThrowsAsync<SluiceException>(() => cache.GetSchemaAsync(_tenant, 99).AsTask());
        Assert.Equal(SluiceErrorCode.Unavailable, error.Code);
    }
}
