using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Configurations;

internal sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> builder)
    {
        builder.ToTable("tenants", t =>
        {
            t.HasCheckConstraint("ck_tenants_ingress", "ingress_bytes_per_second IS NULL OR ingress_bytes_per_second > 0");
            t.HasCheckConstraint("ck_tenants_egress", "egress_bytes_per_second IS NULL OR egress_bytes_per_second > 0");
        });
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Name).HasMaxLength(64);
        builder.HasIndex(t => t.Name).IsUnique();
        builder.Property(t => t.AccountId).HasMaxLength(12).IsFixedLength();
        builder.HasIndex(t => t.AccountId).IsUnique();
        builder.Property(t => t.Status).HasConversion<string>().HasMaxLength(16);
    }
}
