using System.Text.Json;

namespace Sluice.Schemas.Json;

/// <summary>
/// One subschema of a parsed JSON schema, where the compatibility check stands: its JSON, its pointer in its document
/// (null for the implicit <c>true</c> of an absent keyword) and the document, which knows the draft and resolves
/// references.
/// </summary>
internal readonly record struct SchemaNode(JsonElement Element, string? Pointer, JsonSchemaDocument Document)
{
    /// <summary>Keywords that constrain an instance by themselves (not through <c>allOf</c>/<c>anyOf</c>/<c>oneOf</c>/<c>not</c>/<c>if</c>/<c>$ref</c>).</summary>
    private static readonly HashSet<string> OwnAssertions = new(StringComparer.Ordinal)
    {
        "type", "enum", "const",
        "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern",
        "items", "additionalItems", "prefixItems", "maxItems", "minItems", "uniqueItems", "contains", "maxContains", "minContains", "unevaluatedItems",
        "maxProperties", "minProperties", "required", "properties", "patternProperties", "additionalProperties",
        "dependencies", "dependentRequired", "dependentSchemas", "propertyNames", "unevaluatedProperties",
    };

    private static readonly HashSet<string> Applicators = new(StringComparer.Ordinal)
    {
        "allOf", "anyOf", "oneOf", "not", "if", "$ref", "$dynamicRef", "$recursiveRef",
    };

    /// <summary>Identifies the subschema within its document for cycle detection; the implicit schemas by their value.</summary>
    public string Key => Pointer ?? "(implicit " + Element.GetRawText() + ")";

    public bool IsFalse => Element.ValueKind == JsonValueKind.False;

    /// <summary><c>true</c>, or an object with no keyword that constrains anything (only annotations such as <c>title</c>, <c>format</c>, <c>definitions</c>).</summary>
    public bool AcceptsAnything => Element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.Object => !Element.EnumerateObject().Any(p => OwnAssertions.Contains(p.Name) || Applicators.Contains(p.Name)),
        _ => false,
    };

    /// <summary>Whether the subschema's own keywords (not its applicators) constrain anything.</summary>
    public bool HasOwnAssertions => Element.ValueKind switch
    {
        JsonValueKind.False => true,
        JsonValueKind.Object => Element.EnumerateObject().Any(p => OwnAssertions.Contains(p.Name)),
        _ => false,
    };

    /// <summary>The subschema's <c>$ref</c> (or <c>$dynamicRef</c>/<c>$recursiveRef</c>, resolved statically), if any.</summary>
    public string? Reference
    {
        get
        {
            if (Element.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var keyword in (ReadOnlySpan<string>)["$ref", "$dynamicRef", "$recursiveRef"])
            {
                if (Element.TryGetProperty(keyword, out var reference) && reference.ValueKind == JsonValueKind.String)
                {
                    return reference.GetString();
                }
            }

            return null;
        }
    }

    /// <summary>The subschema a reference written here points to; null when it does not resolve (parsing refused those).</summary>
    public SchemaNode? Resolve(string reference)
    {
        if (Pointer is null || Document.Index.ResolveFrom(Pointer, reference) is not { } target || Document.Index.ElementAt(target) is not { } element)
        {
            return null;
        }

        return new SchemaNode(element, target, Document);
    }

    /// <summary>The value of a keyword of this subschema; null when absent.</summary>
    public JsonElement? Keyword(string keyword) =>
        Element.ValueKind == JsonValueKind.Object && Element.TryGetProperty(keyword, out var value) ? value : null;

    /// <summary>The subschema under a keyword (<c>not</c>, <c>items</c>, <c>additionalProperties</c>); null when absent.</summary>
    public SchemaNode? Child(string keyword) =>
        Keyword(keyword) is { } value ? new SchemaNode(value, Pointer is null ? null : $"{Pointer}/{JsonPath.EscapeSegment(keyword)}", Document) : null;

    /// <summary>The subschema at an index of a keyword's array (<c>allOf/2</c>, <c>items/0</c>).</summary>
    public SchemaNode Child(string keyword, int index) =>
        new(Element.GetProperty(keyword)[index], Pointer is null ? null : $"{Pointer}/{JsonPath.EscapeSegment(keyword)}/{index}", Document);

    /// <summary>The subschema under a name of a keyword's map (<c>properties/age</c>, <c>patternProperties/^x-</c>).</summary>
    public SchemaNode Child(string keyword, string name) =>
        new(Element.GetProperty(keyword).GetProperty(name), Pointer is null ? null : $"{Pointer}/{JsonPath.EscapeSegment(keyword)}/{JsonPath.EscapeSegment(name)}", Document);
}
