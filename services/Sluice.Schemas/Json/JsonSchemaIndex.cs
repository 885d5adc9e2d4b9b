using System.Text.Json;

namespace Sluice.Schemas.Json;

/// <summary>
/// Where every subschema of one schema document is, by JSON Pointer, with its base URI, its schema resources
/// (<c>$id</c>s) and anchors, and every reference it makes. Parsing uses it to refuse references that leave the
/// document (Sluice stores each schema alone, without Confluent's schema references); the compatibility check uses it
/// to follow local <c>$ref</c>s.
/// </summary>
internal sealed class JsonSchemaIndex
{
    /// <summary>The base URI of a document without <c>$id</c>: a reserved name, so no relative reference resolves to anything real.</summary>
    private static readonly Uri DefaultBase = new("https://sluice.invalid/schema.json");

    private static readonly string[] SchemaKeywords =
    [
        "additionalItems", "additionalProperties", "contains", "contentSchema", "else", "if", "items", "not",
        "propertyNames", "then", "unevaluatedItems", "unevaluatedProperties",
    ];

    private static readonly string[] SchemaArrayKeywords = ["allOf", "anyOf", "oneOf", "prefixItems", "items"];

    private static readonly string[] SchemaMapKeywords = ["$defs", "definitions", "dependentSchemas", "patternProperties", "properties", "dependencies"];

    private static readonly string[] ReferenceKeywords = ["$ref", "$dynamicRef", "$recursiveRef"];

    private static readonly string[] SumKeywords = ["allOf", "anyOf", "oneOf"];

    private static readonly string[] InPlaceKeywords = ["not", "if", "then", "else"];

    private static readonly string[] DependencyKeywords = ["dependentSchemas", "dependencies"];

    private readonly JsonElement _root;
    private readonly JsonSchemaDraft _draft;
    private readonly Dictionary<string, Uri> _bases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _anchors = new(StringComparer.Ordinal);
    private readonly List<(string Pointer, string Keyword, string Reference, Uri Base)> _references = [];

    public JsonSchemaIndex(JsonElement root, JsonSchemaDraft draft)
    {
        _root = root;
        _draft = draft;
        Walk(root, string.Empty, DefaultBase);
    }

    /// <summary>The first reference that does not resolve inside the document, as a sentence; null when all do.</summary>
    public string? FindUnresolvableReference()
    {
        foreach (var (pointer, keyword, reference, baseUri) in _references)
        {
            if (Resolve(baseUri, reference) is null)
            {
                return $"{keyword} '{reference}' at {JsonPath.SchemaLocation(pointer)} does not point inside this schema; Sluice does not support references to other schemas (Confluent schema references), so a {keyword} may only point to a definition in the same document (#/definitions/…, #/$defs/…).";
            }
        }

        return null;
    }

    /// <summary>
    /// A cycle of subschemas that apply to the same value (through <c>$ref</c>, <c>allOf</c>, <c>anyOf</c>,
    /// <c>oneOf</c>, <c>not</c>, <c>if</c>/<c>then</c>/<c>else</c>, dependent schemas) without descending into it, as a
    /// sentence; null when there is none. Such a schema never finishes evaluating any value (JsonSchema.Net overflows
    /// the stack on it, which would kill the gateway), so parsing refuses it.
    /// </summary>
    public string? FindInPlaceCycle()
    {
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the current path; true: done.
        foreach (var start in _bases.Keys.ToList())
        {
            if (Visit(start, state, []) is { } cycle)
            {
                return $"the subschemas {string.Join(" → ", cycle.Select(JsonPath.SchemaLocation))} apply to the same value in a cycle that never descends into it, so no value can ever be evaluated.";
            }
        }

        return null;
    }

    private List<string>? Visit(string pointer, Dictionary<string, bool> state, List<string> path)
    {
        if (state.TryGetValue(pointer, out var done))
        {
            return done ? null : [.. path.SkipWhile(p => p != pointer), pointer];
        }

        state[pointer] = false;
        path.Add(pointer);
        foreach (var next in InPlaceSubschemas(pointer))
        {
            if (Visit(next, state, path) is { } cycle)
            {
                return cycle;
            }
        }

        path.RemoveAt(path.Count - 1);
        state[pointer] = true;
        return null;
    }

    private IEnumerable<string> InPlaceSubschemas(string pointer)
    {
        if (ElementAt(pointer) is not { ValueKind: JsonValueKind.Object } schema)
        {
            yield break;
        }

        foreach (var keyword in ReferenceKeywords)
        {
            if (schema.TryGetProperty(keyword, out var reference) && reference.ValueKind == JsonValueKind.String && Resolve(BaseOf(pointer), reference.GetString()!) is { } target)
            {
                yield return target;
            }
        }

        foreach (var keyword in SumKeywords)
        {
            if (schema.TryGetProperty(keyword, out var branches) && branches.ValueKind == JsonValueKind.Array)
            {
                for (var i = 0; i < branches.GetArrayLength(); i++)
                {
                    yield return $"{pointer}/{keyword}/{i.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
                }
            }
        }

        foreach (var keyword in InPlaceKeywords)
        {
            if (schema.TryGetProperty(keyword, out _))
            {
                yield return $"{pointer}/{keyword}";
            }
        }

        foreach (var keyword in DependencyKeywords)
        {
            if (schema.TryGetProperty(keyword, out var map) && map.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in map.EnumerateObject())
                {
                    if (entry.Value.ValueKind == JsonValueKind.Object)
                    {
                        yield return $"{pointer}/{keyword}/{JsonPath.EscapeSegment(entry.Name)}";
                    }
                }
            }
        }
    }

    /// <summary>
    /// The pointer of the subschema that <paramref name="reference"/>, as written in the subschema at
    /// <paramref name="fromPointer"/>, points to; null when it does not resolve inside the document.
    /// </summary>
    public string? ResolveFrom(string fromPointer, string reference) =>
        Resolve(BaseOf(fromPointer), reference);

    /// <summary>The element at a pointer of this document; null when there is none.</summary>
    public JsonElement? ElementAt(string pointer)
    {
        var element = _root;
        if (pointer.Length == 0)
        {
            return element;
        }

        if (pointer[0] != '/')
        {
            return null;
        }

        foreach (var raw in pointer[1..].Split('/'))
        {
            var segment = JsonPath.UnescapeSegment(raw);
            if (element.ValueKind == JsonValueKind.Object)
            {
                if (!element.TryGetProperty(segment, out element))
                {
                    return null;
                }
            }
            else if (element.ValueKind == JsonValueKind.Array && int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < element.GetArrayLength())
            {
                element = element[index];
            }
            else
            {
                return null;
            }
        }

        return element;
    }

    private Uri BaseOf(string pointer)
    {
        // The nearest enclosing subschema that the walk saw: a pointer into a non-schema position takes the base of
        // the schema around it.
        var current = pointer;
        while (true)
        {
            if (_bases.TryGetValue(current, out var found))
            {
                return found;
            }

            if (current.Length == 0)
            {
                return DefaultBase;
            }

            current = current[..current.LastIndexOf('/')];
        }
    }

    private string? Resolve(Uri baseUri, string reference)
    {
        if (!Uri.TryCreate(baseUri, reference, out var absolute))
        {
            return null;
        }

        var text = absolute.AbsoluteUri;
        var hash = text.IndexOf('#', StringComparison.Ordinal);
        var document = hash < 0 ? text : text[..hash];
        var fragment = hash < 0 ? string.Empty : Uri.UnescapeDataString(text[(hash + 1)..]);
        if (!_resources.TryGetValue(document, out var resourcePointer))
        {
            return null;
        }

        if (fragment.Length == 0)
        {
            return resourcePointer;
        }

        if (fragment[0] == '/')
        {
            var target = resourcePointer + fragment;
            return ElementAt(target) is { ValueKind: JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False } ? target : null;
        }

        return _anchors.TryGetValue(document + "#" + fragment, out var anchored) ? anchored : null;
    }

    private void Walk(JsonElement schema, string pointer, Uri baseUri)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var hasRef = schema.TryGetProperty("$ref", out _);
        // Before 2019-09 a $ref replaces its whole schema object: a sibling $id does not change the base. Its other
        // siblings are still walked, so that a reference hidden under them is checked too.
        var idIgnored = _draft <= JsonSchemaDraft.Draft7 && hasRef;
        if (!idIgnored && schema.TryGetProperty("$id", out var id) && id.ValueKind == JsonValueKind.String)
        {
            var idText = id.GetString()!;
            if (idText.StartsWith('#'))
            {
                // draft-06/07 plain-name fragment: an anchor.
                _anchors.TryAdd(DocumentOf(baseUri) + idText, pointer);
            }
            else if (Uri.TryCreate(baseUri, idText, out var newBase))
            {
                baseUri = newBase;
                var text = newBase.AbsoluteUri;
                var hash = text.IndexOf('#', StringComparison.Ordinal);
                if (hash >= 0 && hash < text.Length - 1)
                {
                    _anchors.TryAdd(text, pointer);
                }

                _resources.TryAdd(DocumentOf(newBase), pointer);
            }
        }

        if (pointer.Length == 0)
        {
            _resources.TryAdd(DocumentOf(baseUri), pointer);
        }

        foreach (var anchorKeyword in (ReadOnlySpan<string>)["$anchor", "$dynamicAnchor"])
        {
            if (schema.TryGetProperty(anchorKeyword, out var anchor) && anchor.ValueKind == JsonValueKind.String)
            {
                _anchors.TryAdd(DocumentOf(baseUri) + "#" + anchor.GetString(), pointer);
            }
        }

        _bases[pointer] = baseUri;
        foreach (var keyword in ReferenceKeywords)
        {
            if (schema.TryGetProperty(keyword, out var reference) && reference.ValueKind == JsonValueKind.String)
            {
                _references.Add((pointer, keyword, reference.GetString()!, baseUri));
            }
        }

        foreach (var property in schema.EnumerateObject())
        {
            var childPointer = pointer + "/" + JsonPath.EscapeSegment(property.Name);
            var value = property.Value;
            if (Array.IndexOf(SchemaArrayKeywords, property.Name) >= 0 && value.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Walk(item, childPointer + "/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), baseUri);
                    i++;
                }
            }
            else if (Array.IndexOf(SchemaKeywords, property.Name) >= 0)
            {
                Walk(value, childPointer, baseUri);
            }
            else if (Array.IndexOf(SchemaMapKeywords, property.Name) >= 0 && value.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in value.EnumerateObject())
                {
                    Walk(entry.Value, childPointer + "/" + JsonPath.EscapeSegment(entry.Name), baseUri);
                }
            }
        }
    }

    private static string DocumentOf(Uri uri)
    {
        var text = uri.AbsoluteUri;
        var hash = text.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? text : text[..hash];
    }
}
