using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Configurations;

internal sealed class ShardDefinitionConfiguration : IEntityTypeConfiguration<ShardDefinition>
{
    private const int MaxHashKeyDigits = 39;

    public void Configure(EntityTypeBuilder<ShardDefinition> builder)
    {
        builder.ToTable("shards");
        builder.HasKey(s => new { s.StreamId, s.ShardIndex });
        builder.Property(s => s.StartingHashKey).HasMaxLength(MaxHashKeyDigits);
        builder.Property(s => s.EndingHashKey).HasMaxLength(MaxHashKeyDigits);
        builder.Property(s => s.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.LeaderNodeId).HasMaxLength(64);
        builder.HasIndex(s => s.LeaderNodeId);
    }
}
