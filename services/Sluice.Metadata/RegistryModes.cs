namespace Sluice.Metadata;

/// <summary>The wire names of <see cref="RegistryMode"/>: <c>READWRITE</c>, <c>READONLY</c>, <c>READONLY_OVERRIDE</c>, <c>IMPORT</c>.</summary>
public static class RegistryModes
{
    /// <summary>The mode of a subject and a tenant that never set one.</summary>
    public const RegistryMode Default = RegistryMode.ReadWrite;

    public static string ToWire(this RegistryMode mode) => mode switch
    {
        RegistryMode.ReadWrite => "READWRITE",
        RegistryMode.ReadOnly => "READONLY",
        RegistryMode.ReadOnlyOverride => "READONLY_OVERRIDE",
        RegistryMode.Import => "IMPORT",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>Reads a wire name (case-insensitive, as Confluent accepts it).</summary>
    public static bool TryParse(string? wire, out RegistryMode mode)
    {
        foreach (var candidate in Enum.GetValues<RegistryMode>())
        {
            if (string.Equals(candidate.ToWire(), wire, StringComparison.OrdinalIgnoreCase))
            {
                mode = candidate;
                return true;
            }
        }

        mode = default;
        return false;
    }

    /// <summary>Whether registrations and deletes are allowed in <paramref name="mode"/>.</summary>
    public static bool AllowsWrites(this RegistryMode mode) => mode is RegistryMode.ReadWrite or RegistryMode.Import;
}
