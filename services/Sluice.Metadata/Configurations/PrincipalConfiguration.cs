using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Configurations;

internal sealed class PrincipalConfiguration : IEntityTypeConfiguration<Principal>
{
    public void Configure(EntityTypeBuilder<Principal> builder)
    {
        builder.ToTable("principals", t => t.HasCheckConstraint("ck_principals_name", "name ~ '^(user|service):.+$'"));
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Name).HasMaxLength(256);
        builder.HasIndex(p => new { p.TenantId, p.Name }).IsUnique();
        builder.Property(p => p.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.Issuer).HasMaxLength(1024);
        builder.Property(p => p.Description).HasMaxLength(256);
        builder.Property(p => p.Roles).HasColumnType("text[]");
        builder.HasOne<Tenant>().WithMany().HasForeignKey(p => p.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
