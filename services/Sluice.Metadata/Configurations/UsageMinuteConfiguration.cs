using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sluice.Core;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Configurations;

internal sealed class UsageMinuteConfiguration : IEntityTypeConfiguration<UsageMinute>
{
    public void Configure(EntityTypeBuilder<UsageMinute> builder)
    {
        builder.ToTable("usage_minutes");
        builder.HasKey(u => new { u.TenantId, u.Minute, u.StreamName });
        builder.Property(u => u.StreamName).HasMaxLength(Limits.MaxStreamNameLength);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(u => u.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
