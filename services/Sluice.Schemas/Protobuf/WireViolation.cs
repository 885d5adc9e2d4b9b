namespace Sluice.Schemas.Protobuf;

/// <summary>
/// Why a record is not an instance, and where: the walker creates one at the failing field and each enclosing message
/// adds its field name on the way out, so the success path never builds a path.
/// </summary>
internal sealed class WireViolation
{
    private readonly List<string> _reversedPath = [];

    public WireViolation(string problem)
    {
        Problem = problem;
    }

    public string Problem { get; }

    /// <summary>Adds the enclosing field's name in front of the path.</summary>
    public WireViolation Under(string fieldName)
    {
        _reversedPath.Add(fieldName);
        return this;
    }

    /// <summary><c>$.customer.id: problem</c>.</summary>
    public override string ToString()
    {
        var builder = new System.Text.StringBuilder("$");
        for (var i = _reversedPath.Count - 1; i >= 0; i--)
        {
            builder.Append('.').Append(_reversedPath[i]);
        }

        return builder.Append(": ").Append(Problem).ToString();
    }
}
