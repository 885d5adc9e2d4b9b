namespace Sluice.Metadata;

/// <summary>A version of a subject that uses a schema: what <c>GET /schemas/ids/{id}/versions</c> lists.</summary>
public sealed record SubjectVersionRef(string Subject, int Version);
