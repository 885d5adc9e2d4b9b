namespace Sluice.Schemas;

/// <summary>
/// Which earlier versions of a subject a new version must stay compatible with, and in which direction, as Confluent
/// Schema Registry defines them. Backward: consumers on the new schema read data written with the old one. Forward:
/// consumers on the old schema read data written with the new one. Full: both. Transitive: against every live
/// version, not only the latest.
/// </summary>
public enum CompatibilityLevel
{
    None,
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
}

/// <summary>The wire names of <see cref="CompatibilityLevel"/> (<c>BACKWARD_TRANSITIVE</c>, …).</summary>
public static class CompatibilityLevels
{
    /// <summary>The level of a subject and a tenant that never set one.</summary>
    public const CompatibilityLevel Default = CompatibilityLevel.Backward;

    public static string ToWire(this CompatibilityLevel level) => level switch
    {
        CompatibilityLevel.None => "NONE",
        CompatibilityLevel.Backward => "BACKWARD",
        CompatibilityLevel.BackwardTransitive => "BACKWARD_TRANSITIVE",
        CompatibilityLevel.Forward => "FORWARD",
        CompatibilityLevel.ForwardTransitive => "FORWARD_TRANSITIVE",
        CompatibilityLevel.Full => "FULL",
        CompatibilityLevel.FullTransitive => "FULL_TRANSITIVE",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };

    /// <summary>Reads a wire name (case-insensitive, as Confluent accepts it).</summary>
    public static bool TryParse(string? wire, out CompatibilityLevel level)
    {
        foreach (var candidate in Enum.GetValues<CompatibilityLevel>())
        {
            if (string.Equals(candidate.ToWire(), wire, StringComparison.OrdinalIgnoreCase))
            {
                level = candidate;
                return true;
            }
        }

        level = default;
        return false;
    }
}
