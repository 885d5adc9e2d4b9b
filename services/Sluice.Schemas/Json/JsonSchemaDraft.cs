namespace Sluice.Schemas.Json;

/// <summary>
/// The JSON Schema drafts Sluice accepts. The draft decides which keywords mean what (<c>items</c> as an array is a
/// tuple before 2020-12, <c>prefixItems</c> only exists from 2020-12), so parsing, validation and the compatibility
/// check all read it from the schema's <c>$schema</c>. Draft-04 has no member: it is accepted, but handled as its
/// draft-07 translation (<see cref="JsonSchemaDraft4"/>).
/// </summary>
internal enum JsonSchemaDraft
{
    Draft6,
    Draft7,
    Draft201909,
    Draft202012,
}
