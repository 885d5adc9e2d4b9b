using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Configurations;

internal sealed class StorageNodeRecordConfiguration : IEntityTypeConfiguration<StorageNodeRecord>
{
    public void Configure(EntityTypeBuilder<StorageNodeRecord> builder)
    {
        builder.ToTable("storage_nodes");
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Id).HasMaxLength(64);
        builder.Property(n => n.Address).HasMaxLength(256);
        builder.Property(n => n.Rack).HasMaxLength(64);
    }
}
