using Sluice.Schemas;

namespace Sluice.Metadata;

/// <summary>A schema to register in, or look up among, a subject's versions.</summary>
/// <param name="Id">The schema id to register it with: only in IMPORT mode.</param>
/// <param name="Version">The version to register it as: only in IMPORT mode.</param>
public sealed record SchemaSubmission(SchemaType Type, string Schema, int? Id = null, int? Version = null)
{
    /// <summary>The references of every schema Sluice stores: it does not support schema references.</summary>
    public const string NoReferences = "[]";
}
