namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>One broken guarantee, with what the checker saw.</summary>
public sealed record Violation(ViolationKind Kind, string Detail)
{
    public override string ToString() => $"{Kind}: {Detail}";
}
