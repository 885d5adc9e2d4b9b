namespace Sluice.Metadata.Model;

/// <summary>
/// One version of a subject in a tenant's registry (<c>schema_versions</c>): version numbers start at 1 and are never
/// reused within the subject, even after a hard delete. A soft-deleted version (<see cref="Deleted"/>) is hidden from
/// listings and look-ups unless asked for (<c>?deleted=true</c>) and is no longer checked for compatibility; a hard
/// delete removes the row.
/// </summary>
public sealed class SubjectVersion
{
    public long Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Subject { get; set; }

    public int Version { get; set; }

    public int SchemaId { get; set; }

    public bool Deleted { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
