using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Configurations;

internal sealed class ConsumerSubscriptionConfiguration : IEntityTypeConfiguration<ConsumerSubscription>
{
    public void Configure(EntityTypeBuilder<ConsumerSubscription> builder)
    {
        builder.ToTable("consumer_subscriptions");
        builder.HasKey(s => new { s.ConsumerId, s.ShardIndex });
        builder.HasIndex(s => s.SubscriptionId).IsUnique();
        builder.HasOne<StreamConsumer>().WithMany().HasForeignKey(s => s.ConsumerId).OnDelete(DeleteBehavior.Cascade);
    }
}
