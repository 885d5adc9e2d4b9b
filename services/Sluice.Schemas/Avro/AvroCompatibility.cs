namespace Sluice.Schemas.Avro;

/// <summary>
/// The Avro specification's schema-resolution rules as a compatibility check (what Confluent's Avro checker applies):
/// can a reader with one schema read every datum written with another? Collects every problem, each naming the
/// reader's path (<c>/fields/2/type</c>) and field. Recursive schemas terminate: a (reader, writer) record pair
/// already being compared counts as compatible.
/// </summary>
internal sealed class AvroCompatibility
{
    private readonly HashSet<(AvroNode Reader, AvroNode Writer)> _inProgress = [];

    // Record pairs already compared, and whether they were compatible: a schema may share a record many times over,
    // and comparing it afresh each time would take exponential time.
    // Incompatible pairs are only remembered outside union-branch trials, whose reasons are thrown away, so that a
    // pair reported as "compared where it first occurs" was reported there.
    private readonly Dictionary<(AvroNode Reader, AvroNode Writer), bool> _done = [];

    private int _trials;

    private AvroCompatibility()
    {
    }

    public static IReadOnlyList<string> Check(AvroNode reader, AvroNode writer)
    {
        var reasons = new List<string>();
        new AvroCompatibility().Visit(reader, writer, path: "", field: null, reasons);
        return reasons;
    }

    private static string Where(string path, string? field) =>
        field is null ? $"at {(path.Length == 0 ? "/" : path)}" : $"field '{field}' (at {path})";

    private static bool Promotes(AvroKind reader, AvroKind writer) => (writer, reader) switch
    {
        (AvroKind.Int, AvroKind.Long or AvroKind.Float or AvroKind.Double) => true,
        (AvroKind.Long, AvroKind.Float or AvroKind.Double) => true,
        (AvroKind.Float, AvroKind.Double) => true,
        (AvroKind.String, AvroKind.Bytes) => true,
        (AvroKind.Bytes, AvroKind.String) => true,
        _ => false,
    };

    /// <summary>Records, enums and fixed types match by unqualified name, or when a reader alias is the writer's full name.</summary>
    private static bool NamesMatch(AvroNode reader, AvroNode writer) =>
        string.Equals(reader.ShortName, writer.ShortName, StringComparison.Ordinal) || reader.Aliases.Contains(writer.FullName!, StringComparer.Ordinal);

    private void Visit(AvroNode reader, AvroNode writer, string path, string? field, List<string> reasons)
    {
        if (writer.Kind == AvroKind.Union)
        {
            // Every branch the writer may have used must be readable.
            for (var i = 0; i < writer.Branches.Length; i++)
            {
                Visit(reader, writer.Branches[i], path, field, reasons);
            }

            return;
        }

        if (reader.Kind == AvroKind.Union)
        {
            foreach (var branch in reader.Branches)
            {
                var trial = new List<string>();
                _trials++;
                Visit(branch, writer, path, field, trial);
                _trials--;
                if (trial.Count == 0)
                {
                    return;
                }
            }

            reasons.Add($"{Where(path, field)}: no branch of the reader's {reader.Describe()} can read the writer's {writer.Describe()}.");
            return;
        }

        if (reader.Kind != writer.Kind)
        {
            if (!Promotes(reader.Kind, writer.Kind))
            {
                reasons.Add($"{Where(path, field)}: the reader's {reader.Describe()} cannot read the writer's {writer.Describe()}.");
            }

            return;
        }

        switch (reader.Kind)
        {
            case AvroKind.Record:
                VisitRecord(reader, writer, path, field, reasons);
                break;
            case AvroKind.Enum:
                if (!NamesMatch(reader, writer))
                {
                    reasons.Add($"{Where(path, field)}: the reader's enum '{reader.FullName}' does not match the writer's '{writer.FullName}' by name or alias.");
                    break;
                }

                var missing = writer.Symbols.Where(s => !reader.Symbols.Contains(s, StringComparer.Ordinal)).ToList();
                if (missing.Count > 0 && reader.EnumDefault is null)
                {
                    reasons.Add($"{Where($"{path}/symbols", field)}: the reader's enum '{reader.FullName}' lacks the writer's symbols {string.Join(", ", missing)} and has no default symbol.");
                }

                break;
            case AvroKind.Fixed:
                if (!NamesMatch(reader, writer))
                {
                    reasons.Add($"{Where(path, field)}: the reader's fixed '{reader.FullName}' does not match the writer's '{writer.FullName}' by name or alias.");
                }
                else if (reader.Size != writer.Size)
                {
                    reasons.Add($"{Where($"{path}/size", field)}: the reader's fixed '{reader.FullName}' has {reader.Size} bytes, the writer's {writer.Size}.");
                }

                break;
            case AvroKind.Array:
                Visit(reader.Items!, writer.Items!, $"{path}/items", field, reasons);
                break;
            case AvroKind.Map:
                Visit(reader.Items!, writer.Items!, $"{path}/values", field, reasons);
                break;
        }
    }

    private void VisitRecord(AvroNode reader, AvroNode writer, string path, string? field, List<string> reasons)
    {
        if (!NamesMatch(reader, writer))
        {
            reasons.Add($"{Where(path, field)}: the reader's record '{reader.FullName}' does not match the writer's '{writer.FullName}' by name or alias.");
            return;
        }

        if (_done.TryGetValue((reader, writer), out var compatible))
        {
            if (!compatible)
            {
                reasons.Add($"{Where(path, field)}: the reader's record '{reader.FullName}' cannot read the writer's record '{writer.FullName}' (compared where it first occurs).");
            }

            return;
        }

        if (!_inProgress.Add((reader, writer)))
        {
            return;
        }

        var before = reasons.Count;

        for (var i = 0; i < reader.Fields.Length; i++)
        {
            var readerField = reader.Fields[i];
            var fieldPath = $"{path}/fields/{i}";
            var fieldName = field is null ? readerField.Name : $"{field}.{readerField.Name}";
            var writerField = FindWriterField(readerField, writer);
            if (writerField is not null)
            {
                Visit(readerField.Type, writerField.Type, $"{fieldPath}/type", fieldName, reasons);
            }
            else if (!readerField.HasDefault)
            {
                reasons.Add($"field '{fieldName}' (at {fieldPath}) has no default and is missing from the writer's schema.");
            }
        }

        _inProgress.Remove((reader, writer));
        if (reasons.Count == before || _trials == 0)
        {
            _done[(reader, writer)] = reasons.Count == before;
        }
    }

    private static AvroField? FindWriterField(AvroField readerField, AvroNode writer)
    {
        foreach (var candidate in writer.Fields)
        {
            if (candidate.Name == readerField.Name)
            {
                return candidate;
            }
        }

        foreach (var alias in readerField.Aliases)
        {
            foreach (var candidate in writer.Fields)
            {
                if (candidate.Name == alias)
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
