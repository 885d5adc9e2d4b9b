using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Configurations;

internal sealed class AccessKeyConfiguration : IEntityTypeConfiguration<AccessKey>
{
    public void Configure(EntityTypeBuilder<AccessKey> builder)
    {
        builder.ToTable("access_keys", t =>
        {
            t.HasCheckConstraint("ck_access_keys_id", "id ~ '^[A-Z0-9]{20}$'");
            t.HasCheckConstraint("ck_access_keys_encrypted_secret", $"octet_length(encrypted_secret) > {SecretProtector.Overhead}");
        });
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).HasMaxLength(AccessKeyStore.AccessKeyIdLength).IsFixedLength();
        builder.Property(k => k.Description).HasMaxLength(AccessKeyStore.MaxDescriptionLength);
        builder.Property(k => k.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(k => k.EncryptedSecret).HasColumnType("bytea");
        builder.HasOne<Tenant>().WithMany().HasForeignKey(k => k.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Principal>().WithMany().HasForeignKey(k => k.PrincipalId).OnDelete(DeleteBehavior.Cascade);
    }
}
