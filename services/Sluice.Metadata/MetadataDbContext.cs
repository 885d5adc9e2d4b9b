using Microsoft.EntityFrameworkCore;
using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>The metadata store: tenants, access keys, streams, shards and storage nodes in PostgreSQL.</summary>
public sealed class MetadataDbContext(DbContextOptions<MetadataDbContext> options) : DbContext(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<StreamDefinition> Streams => Set<StreamDefinition>();

    public DbSet<ShardDefinition> Shards => Set<ShardDefinition>();

    public DbSet<StorageNodeRecord> StorageNodes => Set<StorageNodeRecord>();

    public DbSet<AccessKey> AccessKeys => Set<AccessKey>();

    public DbSet<StreamConsumer> StreamConsumers => Set<StreamConsumer>();

    public DbSet<ConsumerSubscription> ConsumerSubscriptions => Set<ConsumerSubscription>();

    public DbSet<Principal> Principals => Set<Principal>();

    public DbSet<AclEntry> AclEntries => Set<AclEntry>();

    public DbSet<UsageMinute> Usage => Set<UsageMinute>();

    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();

    public DbSet<RegisteredSchema> Schemas => Set<RegisteredSchema>();

    public DbSet<SubjectVersion> SubjectVersions => Set<SubjectVersion>();

    public DbSet<SubjectConfig> SubjectConfigs => Set<SubjectConfig>();

    public DbSet<SchemaSubject> SchemaSubjects => Set<SchemaSubject>();

    /// <summary>The PostgreSQL sequence idempotent producer ids come from (see <see cref="ProducerIdAllocator"/>).</summary>
    public const string ProducerIdSequence = "producer_ids";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(MetadataDbContext).Assembly);
        modelBuilder.HasSequence<long>(ProducerIdSequence).StartsAt(1).IncrementsBy(1);
    }

    /// <summary>Applies the provider and conventions every host uses.</summary>
    public static void Configure(DbContextOptionsBuilder builder, string connectionString)
    {
        builder.UseNpgsql(connectionString)
            .UseSnakeCaseNamingConvention();
    }
}
