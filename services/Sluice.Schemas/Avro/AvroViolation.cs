using System.Text;

namespace Sluice.Schemas.Avro;

/// <summary>
/// Why a datum is not an instance, and where. Built only on failure: the innermost check states the problem and each
/// enclosing record, array or map prepends its path segment while the walk unwinds, so a valid datum allocates nothing.
/// </summary>
internal sealed class AvroViolation
{
    private readonly List<string> _segments = [];

    public AvroViolation(string problem)
    {
        Problem = problem;
    }

    public string Problem { get; }

    public AvroViolation Field(string name)
    {
        _segments.Add($".{name}");
        return this;
    }

    public AvroViolation Index(long index)
    {
        _segments.Add($"[{index}]");
        return this;
    }

    public AvroViolation Key(string key)
    {
        _segments.Add($"[\"{key}\"]");
        return this;
    }

    /// <summary>The JSON path of the offending value, <c>$.address.zip</c>.</summary>
    public string Path
    {
        get
        {
            var path = new StringBuilder("$");
            for (var i = _segments.Count - 1; i >= 0; i--)
            {
                path.Append(_segments[i]);
            }

            return path.ToString();
        }
    }

    /// <summary>The violation as one sentence: <c>$.address.zip: expected a string, got a number</c>.</summary>
    public string Format() => $"{Path}: {Problem}";

    /// <summary>As <see cref="Format"/>, but the bare problem when it is at the root, for messages that already say which value they mean.</summary>
    public string FormatNested() => _segments.Count == 0 ? Problem : Format();
}
