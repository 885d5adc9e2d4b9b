using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Configurations;

internal sealed class StreamConsumerConfiguration : IEntityTypeConfiguration<StreamConsumer>
{
    public void Configure(EntityTypeBuilder<StreamConsumer> builder)
    {
        builder.ToTable("stream_consumers", t => t.HasCheckConstraint("ck_stream_consumers_name", "name ~ '^[a-zA-Z0-9_.-]{1,128}$'"));
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).UseIdentityAlwaysColumn();
        builder.Property(c => c.Name).HasMaxLength(ConsumerCatalog.MaxConsumerNameLength);
        builder.HasIndex(c => new { c.StreamId, c.Name }).IsUnique();
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasOne(c => c.Stream).WithMany().HasForeignKey(c => c.StreamId).OnDelete(DeleteBehavior.Cascade);
    }
}
