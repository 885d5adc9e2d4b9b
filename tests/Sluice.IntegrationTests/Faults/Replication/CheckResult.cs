namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>What <see cref="HistoryChecker"/> found: every violation, none when the history is clean.</summary>
public sealed class CheckResult(IReadOnlyList<Violation> violations)
{
    /// <summary>How many violations <see cref="Describe"/> lists before it only counts the rest.</summary>
    public const int DescribedViolations = 40;

    public IReadOnlyList<Violation> Violations { get; } = violations;

    public bool IsClean => Violations.Count == 0;

    public IEnumerable<Violation> OfKind(ViolationKind kind) => Violations.Where(v => v.Kind == kind);

    /// <summary>A count per kind and the first violations in full, for a test's failure message.</summary>
    public string Describe()
    {
        if (IsClean)
        {
            return "no violation";
        }

        var counts = Violations.GroupBy(v => v.Kind).Select(g => $"{g.Key} ×{g.Count()}");
        var lines = Violations.Take(DescribedViolations).Select(v => "  " + v);
        var more = Violations.Count > DescribedViolations ? [$"  … and {Violations.Count - DescribedViolations} more"] : Array.Empty<string>();
        return $"{Violations.Count} violation(s): {string.Join(", ", counts)}\n{string.Join('\n', lines.Concat(more))}";
    }
}
