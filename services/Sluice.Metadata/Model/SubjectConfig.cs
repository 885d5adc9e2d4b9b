namespace Sluice.Metadata.Model;

/// <summary>
/// A registry setting of a tenant (<c>schema_configs</c>): for one subject, or for the whole tenant when
/// <see cref="Subject"/> is <see cref="TenantWide"/>. Either setting may be unset (null), in which case the subject
/// falls back to the tenant's and the tenant to the defaults (BACKWARD, READWRITE).
/// </summary>
public sealed class SubjectConfig
{
    /// <summary>The <see cref="Subject"/> of the tenant-wide row.</summary>
    public const string TenantWide = "";

    public Guid TenantId { get; set; }

    public required string Subject { get; set; }

    /// <summary>A compatibility level's wire name (<c>BACKWARD</c>, <c>FULL_TRANSITIVE</c>, …), or null for unset.</summary>
    public string? Compatibility { get; set; }

    /// <summary>A registry mode: <c>READWRITE</c>, <c>READONLY</c>, <c>READONLY_OVERRIDE</c> or <c>IMPORT</c>; null for unset.</summary>
    public string? Mode { get; set; }
}
