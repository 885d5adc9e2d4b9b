using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Configurations;

internal sealed class SubjectVersionConfiguration : IEntityTypeConfiguration<SubjectVersion>
{
    public void Configure(EntityTypeBuilder<SubjectVersion> builder)
    {
        builder.ToTable("schema_versions", t => t.HasCheckConstraint("ck_schema_versions_version", "version >= 1"));
        builder.HasKey(v => v.Id);
        builder.Property(v => v.Id).UseIdentityAlwaysColumn();
        builder.Property(v => v.Subject).HasMaxLength(SchemaRegistryStore.MaxSubjectLength);
        builder.HasIndex(v => new { v.TenantId, v.Subject, v.Version }).IsUnique();
        builder.HasIndex(v => new { v.TenantId, v.SchemaId });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(v => v.TenantId).OnDelete(DeleteBehavior.Cascade);
        // NO ACTION (checked at the end of the statement), so that deleting a tenant may cascade to both tables.
        builder.HasOne<RegisteredSchema>().WithMany().HasForeignKey(v => v.SchemaId).OnDelete(DeleteBehavior.NoAction);
    }
}
