namespace Sluice.Metadata.Model;

/// <summary>One administrative change: who did what to which target, when and from where. Append-only.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The caller: a principal name, or the token subject of a platform admin.</summary>
    public required string Actor { get; set; }

    /// <summary>The caller's tenant, when it has one.</summary>
    public Guid? ActorTenantId { get; set; }

    /// <summary>The tenant the change applies to, when it applies to one.</summary>
    public Guid? TenantId { get; set; }

    /// <summary>A dotted verb, for example <c>tenant.suspend</c>, <c>access-key.create</c>, <c>acl.add</c>.</summary>
    public required string Action { get; set; }

    /// <summary>What was changed, for example a tenant name, key id or ACL entry id.</summary>
    public required string Target { get; set; }

    /// <summary>The remote address of the request.</summary>
    public string? RemoteAddress { get; set; }

    /// <summary>The change itself as JSON (never a secret).</summary>
    public string? Details { get; set; }
}
