using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Configurations;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        // No foreign key to tenants: the log outlives what it describes (a deleted tenant's history stays).
        builder.ToTable("audit_log");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).UseIdentityAlwaysColumn();
        builder.Property(a => a.Actor).HasMaxLength(256);
        builder.Property(a => a.Action).HasMaxLength(64);
        builder.Property(a => a.Target).HasMaxLength(512);
        builder.Property(a => a.RemoteAddress).HasMaxLength(64);
        builder.Property(a => a.Details).HasColumnType("jsonb");
        builder.HasIndex(a => new { a.TenantId, a.Id });
        builder.HasIndex(a => a.At);
    }
}
