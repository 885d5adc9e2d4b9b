using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Configurations;

internal sealed class AclEntryConfiguration : IEntityTypeConfiguration<AclEntry>
{
    public void Configure(EntityTypeBuilder<AclEntry> builder)
    {
        builder.ToTable("acl_entries");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Principal).HasMaxLength(256);
        builder.Property(a => a.StreamPattern).HasMaxLength(256);
        builder.Property(a => a.Effect).HasConversion<string>().HasMaxLength(8);
        builder.Property(a => a.Operation).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(a => new { a.TenantId, a.Principal, a.Effect, a.Operation, a.StreamPattern }).IsUnique();
        builder.HasOne<Tenant>().WithMany().HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
