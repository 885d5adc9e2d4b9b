namespace Sluice.Metadata.Model;

/// <summary>
/// A subject's version counter (<c>schema_subjects</c>): the highest version number the subject ever had. Kept apart from
/// <see cref="SubjectVersion"/> because a hard delete removes version rows, and version numbers must still never be
/// reused within a subject (a consumer that cached "subject s version 3" must never see another schema under that name).
/// </summary>
public sealed class SchemaSubject
{
    public Guid TenantId { get; set; }

    public required string Subject { get; set; }

    /// <summary>The highest version number ever given in the subject; the next registration gets one more.</summary>
    public int LastVersion { get; set; }
}
