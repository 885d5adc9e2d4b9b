using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sluice.Metadata;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// A migrated metadata database of its own on the test PostgreSQL (SLUICE_TEST_PG), for testing
/// the metadata services in-process without a cluster. Tests isolate themselves by creating their
/// own tenants.
/// </summary>
public sealed class MetadataDatabaseFixture : IAsyncLifetime
{
    private static readonly TimeSpan MigrateTimeout = TimeSpan.FromSeconds(60);
    private ServiceProvider? _services;

    public string DatabaseName { get; } = $"sluice_it_meta_{Guid.NewGuid():N}";

    public string ConnectionString { get; private set; } = "";

    public IDbContextFactory<MetadataDbContext> Contexts { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await using (var connection = new NpgsqlConnection(TestEnvironment.PostgresConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName}", connection);
            await create.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnectionString) { Database = DatabaseName }.ConnectionString;
        _services = new ServiceCollection().AddLogging().AddSluiceMetadata(ConnectionString).BuildServiceProvider();
        await _services.GetRequiredService<MetadataDatabase>().MigrateAsync(MigrateTimeout);
        Contexts = _services.GetRequiredService<IDbContextFactory<MetadataDbContext>>();
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(TestEnvironment.PostgresConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {DatabaseName} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>Creates an active tenant with a unique name; returns its id.</summary>
    public async Task<Guid> CreateTenantAsync(string prefix = "t")
    {
        var id = Guid.CreateVersion7();
        await ExecuteAsync("INSERT INTO tenants (id, name, account_id, status, created_at) VALUES (@id, @name, @account, 'Active', now())",
            ("id", id), ("name", $"{prefix}-{id:N}"), ("account", Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return id;
    }

    /// <summary>Runs one SQL statement with named parameters; returns the rows affected.</summary>
    public async Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs one SQL query and returns its single value.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }
}

[CollectionDefinition(Name)]
public sealed class MetadataDatabaseCollection : ICollectionFixture<MetadataDatabaseFixture>
{
    public const string Name = "metadata-database";
}
