using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sluice.Schemas.Json;

/// <summary>Objects: properties judged by the content model (open, closed, partially open), required, pattern and additional properties, dependencies, counts.</summary>
internal sealed partial class JsonSchemaCompatibility
{
    private void CompareObjects(SchemaNode reader, SchemaNode writer, string path, List<string> reasons)
    {
        var readerProperties = Names(reader, "properties");
        var writerProperties = Names(writer, "properties");
        var readerPatterns = Names(reader, "patternProperties");
        var writerPatterns = Names(writer, "patternProperties");
        var readerAdditional = reader.Child("additionalProperties") ?? True(reader.Document);
        var writerAdditional = writer.Child("additionalProperties") ?? True(writer.Document);
        var readerRequired = Required(reader);
        var writerRequired = Required(writer);

        foreach (var name in readerProperties.Union(writerProperties).Order(StringComparer.Ordinal))
        {
            var propertyPath = $"{path}/properties/{JsonPath.EscapeSegment(name)}";
            var inReader = readerProperties.Contains(name);
            var inWriter = writerProperties.Contains(name);
            // What the writer may put under this name: its property schema, else a matching pattern's, else its additionalProperties.
            var writerSchema = inWriter ? writer.Child("properties", name) : WriterFallback(writer, writerPatterns, writerAdditional, name);
            if (inReader && inWriter)
            {
                Compare(reader.Child("properties", name), writerSchema, propertyPath, reasons);
            }
            else if (inReader)
            {
                ComparePropertyAdded(reader.Child("properties", name), writerSchema, writer, name, propertyPath, reasons);
            }
            else
            {
                ComparePropertyRemoved(reader, readerPatterns, readerAdditional, writerSchema, name, propertyPath, reasons);
            }

            // A reader's patternProperties apply to a named property as well as its properties entry.
            if (inReader)
            {
                foreach (var pattern in readerPatterns.Where(p => Matches(name, p)))
                {
                    Compare(reader.Child("patternProperties", pattern), writerSchema, $"{path}/patternProperties/{JsonPath.EscapeSegment(pattern)}", reasons);
                }
            }
        }

        // Names neither schema lists: the writer's patterns and additionalProperties against the reader's.
        foreach (var pattern in readerPatterns)
        {
            var patternPath = $"{path}/patternProperties/{JsonPath.EscapeSegment(pattern)}";
            var readerSchema = reader.Child("patternProperties", pattern);
            if (writerPatterns.Contains(pattern))
            {
                Compare(readerSchema, writer.Child("patternProperties", pattern), patternPath, reasons);
                continue;
            }

            // Which of the writer's patterns overlap this one is undecidable in general: all of them must fit.
            foreach (var writerPattern in writerPatterns)
            {
                Compare(readerSchema, writer.Child("patternProperties", writerPattern), patternPath, reasons);
            }

            CompareAdditional(readerSchema, writerAdditional, patternPath, $"the reader's patternProperties '{pattern}'", reasons);
        }

        foreach (var writerPattern in writerPatterns.Where(p => !readerPatterns.Contains(p)))
        {
            CompareAdditional(readerAdditional, writer.Child("patternProperties", writerPattern), $"{path}/patternProperties/{JsonPath.EscapeSegment(writerPattern)}", "the reader's additionalProperties", reasons);
        }

        CompareAdditional(readerAdditional, writerAdditional, $"{path}/additionalProperties", "the reader's additionalProperties", reasons);

        foreach (var name in readerRequired.Where(n => !writerRequired.Contains(n)).Order(StringComparer.Ordinal))
        {
            reasons.Add($"{path}/properties/{JsonPath.EscapeSegment(name)}: the reader requires '{name}' but the writer does not, so the writer's records may lack it (a required property added).");
        }

        CompareCount(reader, writer, "minProperties", "maxProperties", path, reasons);
        CompareDependencies(reader, writer, writerRequired, path, reasons);
        CompareUnprovable(reader, writer, "propertyNames", path, reasons);
        CompareUnprovable(reader, writer, "unevaluatedProperties", path, reasons);
    }

    /// <summary>A property only the reader lists: the writer's records carry it under the writer's content model.</summary>
    private void ComparePropertyAdded(SchemaNode readerSchema, SchemaNode writerSchema, SchemaNode writer, string name, string path, List<string> reasons)
    {
        if (Dereference(writerSchema).IsFalse)
        {
            // A closed writer never writes it: the reader may add it, optional (Confluent's OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL).
            return;
        }

        if (Dereference(writerSchema).AcceptsAnything)
        {
            // An open writer may write it with any value (PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL) unless the reader's schema for it accepts anything.
            if (!Dereference(readerSchema).AcceptsAnything)
            {
                reasons.Add($"{path}: the reader adds property '{name}' but the writer's object has an open content model (additionalProperties absent or true), so the writer's records may carry '{name}' with any value; close the writer's model (additionalProperties: false) or give '{name}' an empty schema.");
            }

            return;
        }

        var details = ReasonsFor(readerSchema, writerSchema, path);
        if (details.Count > 0)
        {
            var source = writer.Keyword("properties") is { } p && p.TryGetProperty(name, out _) ? "property" : "patternProperties/additionalProperties";
            reasons.Add($"{path}: the reader adds property '{name}', which the writer's partially open content model ({source}) covers with a schema the reader's does not accept.");
            reasons.AddRange(details);
        }
    }

    /// <summary>A property only the writer lists: the reader reads it under its own content model.</summary>
    private void ComparePropertyRemoved(SchemaNode reader, IReadOnlyList<string> readerPatterns, SchemaNode readerAdditional, SchemaNode writerSchema, string name, string path, List<string> reasons)
    {
        var matching = readerPatterns.Where(p => Matches(name, p)).ToList();
        if (matching.Count == 0)
        {
            var additional = Dereference(readerAdditional);
            if (additional.AcceptsAnything)
            {
                // Removed from an open content model: compatible.
                return;
            }

            if (additional.IsFalse)
            {
                if (!Dereference(writerSchema).IsFalse)
                {
                    reasons.Add($"{path}: the writer has property '{name}' but the reader's object has a closed content model (additionalProperties: false) without it, so the writer's records with '{name}' fail the reader (a property removed from a closed content model).");
                }

                return;
            }

            var details = ReasonsFor(readerAdditional, writerSchema, path);
            if (details.Count > 0)
            {
                reasons.Add($"{path}: the writer's property '{name}' is not covered by the reader's additionalProperties (a property removed from a partially open content model).");
                reasons.AddRange(details);
            }

            return;
        }

        foreach (var pattern in matching)
        {
            var details = ReasonsFor(reader.Child("patternProperties", pattern), writerSchema, path);
            if (details.Count > 0)
            {
                reasons.Add($"{path}: the writer's property '{name}' is not covered by the reader's patternProperties '{pattern}'.");
                reasons.AddRange(details);
            }
        }
    }

    private void CompareAdditional(SchemaNode readerSchema, SchemaNode writerSchema, string path, string what, List<string> reasons)
    {
        var reader = Dereference(readerSchema);
        var writer = Dereference(writerSchema);
        if (reader.AcceptsAnything || writer.IsFalse)
        {
            return;
        }

        if (reader.IsFalse)
        {
            reasons.Add(writer.AcceptsAnything
                ? $"{path}: {what} is false (a closed content model) but the writer allows additional properties (additionalProperties absent or true)."
                : $"{path}: {what} is false (a closed content model) but the writer allows properties here.");
            return;
        }

        Compare(readerSchema, writerSchema, path, reasons);
    }

    private void CompareDependencies(SchemaNode reader, SchemaNode writer, HashSet<string> writerRequired, string path, List<string> reasons)
    {
        var writerArrays = DependentRequired(writer);
        foreach (var (key, (names, keyword)) in DependentRequired(reader))
        {
            var writerNames = writerArrays.TryGetValue(key, out var w) ? w.Names : [];
            var missing = names.Where(n => !writerNames.Contains(n) && !writerRequired.Contains(n)).ToList();
            if (missing.Count > 0)
            {
                reasons.Add($"{path}/{keyword}/{JsonPath.EscapeSegment(key)}: the reader requires {string.Join(", ", missing.Select(n => $"'{n}'"))} whenever '{key}' is present; the writer does not.");
            }
        }

        var writerSchemas = DependentSchemas(writer);
        foreach (var (key, readerSchema) in DependentSchemas(reader))
        {
            var dependencyPath = $"{path}/{readerSchema.Keyword}/{JsonPath.EscapeSegment(key)}";
            if (writerSchemas.TryGetValue(key, out var writerSchema))
            {
                Compare(readerSchema.Node, writerSchema.Node, dependencyPath, reasons);
            }
            else if (!Dereference(readerSchema.Node).AcceptsAnything)
            {
                reasons.Add($"{dependencyPath}: the reader adds a schema dependency on '{key}' that the writer does not have.");
            }
        }
    }

    /// <summary>A keyword whose reader value can only be proven to hold against a writer with the same keyword that fits it (<c>propertyNames</c>, <c>unevaluated*</c>, <c>contains</c>).</summary>
    private void CompareUnprovable(SchemaNode reader, SchemaNode writer, string keyword, string path, List<string> reasons)
    {
        if (reader.Child(keyword) is not { } readerSchema || Dereference(readerSchema).AcceptsAnything)
        {
            return;
        }

        var keywordPath = $"{path}/{keyword}";
        if (writer.Child(keyword) is { } writerSchema)
        {
            Compare(readerSchema, writerSchema, keywordPath, reasons);
        }
        else
        {
            reasons.Add($"{keywordPath}: the reader adds '{keyword}', which the writer's schema does not have.");
        }
    }

    private static void CompareCount(SchemaNode reader, SchemaNode writer, string minKeyword, string maxKeyword, string path, List<string> reasons)
    {
        var readerMin = Integer(reader, minKeyword);
        var writerMin = Integer(writer, minKeyword) ?? 0;
        if (readerMin > writerMin)
        {
            reasons.Add($"{path}/{minKeyword}: {minKeyword} is tightened from the writer's {writerMin} to the reader's {readerMin}.");
        }

        var readerMax = Integer(reader, maxKeyword);
        var writerMax = Integer(writer, maxKeyword);
        if (readerMax is not null && (writerMax is null || writerMax > readerMax))
        {
            reasons.Add(writerMax is null
                ? $"{path}/{maxKeyword}: the reader adds {maxKeyword} {readerMax}; the writer has none."
                : $"{path}/{maxKeyword}: {maxKeyword} is tightened from the writer's {writerMax} to the reader's {readerMax}.");
        }
    }

    private static SchemaNode WriterFallback(SchemaNode writer, IReadOnlyList<string> writerPatterns, SchemaNode writerAdditional, string name)
    {
        // Any one matching pattern bounds what the writer writes (all matching ones apply), so the first is a safe stand-in.
        foreach (var pattern in writerPatterns)
        {
            if (Matches(name, pattern))
            {
                return writer.Child("patternProperties", pattern);
            }
        }

        return writerAdditional;
    }

    private static List<string> Names(SchemaNode node, string keyword) =>
        node.Keyword(keyword) is { ValueKind: JsonValueKind.Object } map ? map.EnumerateObject().Select(p => p.Name).ToList() : [];

    private static HashSet<string> Required(SchemaNode node) =>
        node.Keyword("required") is { ValueKind: JsonValueKind.Array } array
            ? array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);

    /// <summary><c>dependentRequired</c> and the array form of draft-07's <c>dependencies</c>: property to the names it requires.</summary>
    private static Dictionary<string, (List<string> Names, string Keyword)> DependentRequired(SchemaNode node)
    {
        var result = new Dictionary<string, (List<string>, string)>(StringComparer.Ordinal);
        foreach (var keyword in (ReadOnlySpan<string>)["dependencies", "dependentRequired"])
        {
            if (node.Keyword(keyword) is { ValueKind: JsonValueKind.Object } map)
            {
                foreach (var entry in map.EnumerateObject().Where(e => e.Value.ValueKind == JsonValueKind.Array))
                {
                    var names = entry.Value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList();
                    result[entry.Name] = result.TryGetValue(entry.Name, out var existing) ? ([.. existing.Item1.Union(names)], existing.Item2) : (names, keyword);
                }
            }
        }

        return result;
    }

    /// <summary><c>dependentSchemas</c> and the schema form of draft-07's <c>dependencies</c>.</summary>
    private static Dictionary<string, (SchemaNode Node, string Keyword)> DependentSchemas(SchemaNode node)
    {
        var result = new Dictionary<string, (SchemaNode, string)>(StringComparer.Ordinal);
        foreach (var keyword in (ReadOnlySpan<string>)["dependencies", "dependentSchemas"])
        {
            if (node.Keyword(keyword) is { ValueKind: JsonValueKind.Object } map)
            {
                foreach (var entry in map.EnumerateObject().Where(e => e.Value.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
                {
                    result.TryAdd(entry.Name, (node.Child(keyword, entry.Name), keyword));
                }
            }
        }

        return result;
    }
}
