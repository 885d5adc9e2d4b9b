using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sluice.Core;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Configurations;

internal sealed class StreamDefinitionConfiguration : IEntityTypeConfiguration<StreamDefinition>
{
    public void Configure(EntityTypeBuilder<StreamDefinition> builder)
    {
        builder.ToTable("streams", t => t.HasCheckConstraint("ck_streams_shard_count", "shard_count >= 0"));
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).UseIdentityAlwaysColumn();
        builder.Property(s => s.Name).HasMaxLength(Limits.MaxStreamNameLength);
        builder.HasIndex(s => new { s.TenantId, s.Name }).IsUnique();
        builder.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(s => s.TenantId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(s => s.Shards).WithOne(s => s.Stream).HasForeignKey(s => s.StreamId).OnDelete(DeleteBehavior.Cascade);
    }
}
