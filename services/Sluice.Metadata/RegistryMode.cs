namespace Sluice.Metadata;

/// <summary>
/// What a tenant's registry, or one subject of it, accepts, as Confluent names the modes. READWRITE: everything.
/// READONLY: reads only (registrations and deletes are refused with 42205). READONLY_OVERRIDE: READONLY for the whole
/// tenant, whatever a subject's own mode says. IMPORT: registrations may name their schema id and version (to copy a
/// registry over with its ids), and skip the compatibility check.
/// </summary>
public enum RegistryMode
{
    ReadWrite,
    ReadOnly,
    ReadOnlyOverride,
    Import,
}
