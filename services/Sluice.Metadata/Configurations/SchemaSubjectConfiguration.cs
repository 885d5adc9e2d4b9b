using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Configurations;

internal sealed class SchemaSubjectConfiguration : IEntityTypeConfiguration<SchemaSubject>
{
    public void Configure(EntityTypeBuilder<SchemaSubject> builder)
    {
        builder.ToTable("schema_subjects", t => t.HasCheckConstraint("ck_schema_subjects_last_version", "last_version >= 0"));
        builder.HasKey(s => new { s.TenantId, s.Subject });
        builder.Property(s => s.Subject).HasMaxLength(SchemaRegistryStore.MaxSubjectLength);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(s => s.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
