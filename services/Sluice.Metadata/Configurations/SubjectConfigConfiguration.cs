using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Configurations;

internal sealed class SubjectConfigConfiguration : IEntityTypeConfiguration<SubjectConfig>
{
    public void Configure(EntityTypeBuilder<SubjectConfig> builder)
    {
        builder.ToTable("schema_configs");
        builder.HasKey(c => new { c.TenantId, c.Subject });
        builder.Property(c => c.Subject).HasMaxLength(SchemaRegistryStore.MaxSubjectLength);
        builder.Property(c => c.Compatibility).HasMaxLength(32);
        builder.Property(c => c.Mode).HasMaxLength(32);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
