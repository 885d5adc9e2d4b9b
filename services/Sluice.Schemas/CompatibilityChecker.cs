namespace Sluice.Schemas;

/// <summary>Applies a <see cref="CompatibilityLevel"/>: which earlier versions a candidate is checked against, in which direction.</summary>
public static class CompatibilityChecker
{
    /// <summary>
    /// The reasons <paramref name="candidate"/> may not become the next version of a subject whose live versions are
    /// <paramref name="previous"/> (oldest first); empty when it may. Each reason names the version it conflicts with
    /// and the direction. A candidate of another format than a previous version is incompatible with it, whatever the
    /// level other than <see cref="CompatibilityLevel.None"/>.
    /// </summary>
    public static IReadOnlyList<string> Check(CompatibilityLevel level, ParsedSchema candidate, IReadOnlyList<(int Version, ParsedSchema Schema)> previous)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(previous);
        if (level == CompatibilityLevel.None || previous.Count == 0)
        {
            return [];
        }

        var transitive = level is CompatibilityLevel.BackwardTransitive or CompatibilityLevel.ForwardTransitive or CompatibilityLevel.FullTransitive;
        var backward = level is CompatibilityLevel.Backward or CompatibilityLevel.BackwardTransitive or CompatibilityLevel.Full or CompatibilityLevel.FullTransitive;
        var forward = level is CompatibilityLevel.Forward or CompatibilityLevel.ForwardTransitive or CompatibilityLevel.Full or CompatibilityLevel.FullTransitive;

        var reasons = new List<string>();
        // Newest first, so that a non-transitive check is against the latest version only.
        for (var i = previous.Count - 1; i >= 0; i--)
        {
            var (version, schema) = previous[i];
            if (schema.Type != candidate.Type)
            {
                reasons.Add($"version {version} is a {schema.Type.ToWire()} schema; the new schema is {candidate.Type.ToWire()}.");
            }
            else
            {
                var format = SchemaFormats.For(candidate.Type);
                if (backward)
                {
                    foreach (var reason in format.CanRead(reader: candidate, writer: schema))
                    {
                        reasons.Add($"backward (the new schema reading data written with version {version}): {reason}");
                    }
                }

                if (forward)
                {
                    foreach (var reason in format.CanRead(reader: schema, writer: candidate))
                    {
                        reasons.Add($"forward (version {version} reading data written with the new schema): {reason}");
                    }
                }
            }

            if (!transitive)
            {
                break;
            }
        }

        return reasons;
    }
}
