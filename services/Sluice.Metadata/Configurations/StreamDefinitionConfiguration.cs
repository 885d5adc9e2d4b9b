using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sluice.Core;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Configurations;

internal sealed class StreamDefinitionConfiguration : IEntityTypeConfiguration<StreamDefinition>
{
    public void Configure(EntityTypeBuilder<StreamDefinition> builder)
    {
        builder.ToTable("streams", t =>
        {
            t.HasCheckConstraint("ck_streams_shard_count", "shard_count >= 0");
            t.HasCheckConstraint("ck_streams_ingress", "ingress_bytes_per_second IS NULL OR ingress_bytes_per_second > 0");
            t.HasCheckConstraint("ck_streams_egress", "egress_bytes_per_second IS NULL OR egress_bytes_per_second > 0");
        });
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).UseIdentityAlwaysColumn();
        builder.Property(s => s.Name).HasMaxLength(Limits.MaxStreamNameLength);
        builder.HasIndex(s => new { s.TenantId, s.Name }).IsUnique();
        builder.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Mode).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Encryption).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.DefaultAcks).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.EncryptionKeyId).HasMaxLength(2048);
        builder.Property(s => s.SchemaSubject).HasMaxLength(SchemaRegistryStore.MaxSubjectLength);
        builder.Property(s => s.EncryptedDataKey).HasColumnType("bytea");
        builder.Property(s => s.Tags)
            .HasColumnType("jsonb")
            .HasConversion(
                tags => JsonSerializer.Serialize(tags, (JsonSerializerOptions?)null),
                json => JsonSerializer.Deserialize<Dictionary<string, string>>(json, (JsonSerializerOptions?)null) ?? new Dictionary<string, string>(StringComparer.Ordinal),
                new ValueComparer<Dictionary<string, string>>(
                    (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
                    tags => tags.Aggregate(0, (hash, tag) => hash ^ HashCode.Combine(tag.Key, tag.Value)),
                    tags => new Dictionary<string, string>(tags, StringComparer.Ordinal)));
        builder.HasOne<Tenant>().WithMany().HasForeignKey(s => s.TenantId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(s => s.Shards).WithOne(s => s.Stream).HasForeignKey(s => s.StreamId).OnDelete(DeleteBehavior.Cascade);
    }
}
