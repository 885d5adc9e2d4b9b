namespace Sluice.Metadata.Model;

/// <summary>
/// One access rule in a tenant: <see cref="Effect"/> <see cref="Operation"/> on the streams that
/// <see cref="StreamPattern"/> matches (an exact name, a prefix ending in <c>*</c>, or <c>*</c> for all) for
/// <see cref="Principal"/> (a principal name, or <c>*</c> for every principal of the tenant).
/// </summary>
public sealed class AclEntry
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>A principal name (<c>user:…</c>, <c>service:…</c>) or <c>*</c>.</summary>
    public required string Principal { get; set; }

    public AclEffect Effect { get; set; }

    public AclOperation Operation { get; set; }

    /// <summary>A stream name, a prefix ending in <c>*</c> (<c>orders-*</c>), or <c>*</c>.</summary>
    public required string StreamPattern { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
