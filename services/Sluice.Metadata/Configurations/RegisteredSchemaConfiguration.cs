using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Configurations;

internal sealed class RegisteredSchemaConfiguration : IEntityTypeConfiguration<RegisteredSchema>
{
    public void Configure(EntityTypeBuilder<RegisteredSchema> builder)
    {
        builder.ToTable("schemas", t => t.HasCheckConstraint("ck_schemas_type", "schema_type IN ('AVRO', 'JSON', 'PROTOBUF')"));
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).UseIdentityAlwaysColumn();
        builder.Property(s => s.SchemaType).HasMaxLength(16);
        builder.Property(s => s.Fingerprint).HasMaxLength(64);
        builder.Property(s => s.References).HasColumnType("jsonb");
        builder.HasIndex(s => new { s.TenantId, s.Fingerprint }).IsUnique();
        builder.HasOne<Tenant>().WithMany().HasForeignKey(s => s.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
