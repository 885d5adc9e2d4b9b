using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Sluice.Schemas.Json;

/// <summary>
/// JSON Schema as Confluent Schema Registry serves it (schema type <c>JSON</c>): a schema is a JSON object or boolean
/// in draft-04, draft-06, draft-07 (the default, as in Confluent), 2019-09 or 2020-12, checked against its meta-schema and
/// built with JsonSchema.Net; compatibility follows Confluent's rules for open and closed content models. A draft-04
/// schema (what NJsonSchema, and so Confluent's .NET JSON serializer, generates) is checked against the draft-04
/// meta-schema and then handled as its draft-07 translation (<see cref="JsonSchemaDraft4"/>); its text is kept as written.
/// </summary>
public sealed class JsonSchemaFormat : ISchemaFormat
{
    /// <summary>Duplicate keys would make a schema mean whatever the last one says, silently: refuse them.</summary>
    private static readonly JsonDocumentOptions SchemaDocumentOptions = new()
    {
        AllowDuplicateProperties = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 256,
    };

    /// <summary>How many meta-schema violations a parse error lists.</summary>
    private const int MaxReportedErrors = 3;

    private static readonly EvaluationOptions MetaSchemaOptions = new() { OutputFormat = OutputFormat.List };

    public SchemaType Type => SchemaType.Json;

    /// <inheritdoc/>
    public ParsedSchema Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text, SchemaDocumentOptions);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new SchemaParseException($"The JSON schema is not valid JSON: {e.Message}", e);
        }

        if (root.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
        {
            throw new SchemaParseException($"A JSON schema is a JSON object or a boolean, not {Describe(root.ValueKind)}.");
        }

        var draft = ReadDraft(root, out var schemaUri, out var isDraft4);
        var original = root;
        if (isDraft4)
        {
            if (FindMetaSchemaViolations(root, JsonSchemaDraft4.MetaSchema) is { } draft4Violations)
            {
                throw new SchemaParseException($"The JSON schema is not a valid draft-04 schema: {draft4Violations}");
            }

            // From here on the schema is its draft-07 translation, which names draft-07 exactly.
            root = JsonSchemaDraft4.Translate(root);
            schemaUri = null;
        }

        var buildRoot = root;
        if (schemaUri is not null && schemaUri != DialectId(draft))
        {
            // JsonSchema.Net knows each dialect by one exact URI; the spellings Confluent also accepts (no trailing '#',
            // https for draft-07) are the same dialect, so build from a copy that names it exactly.
            var node = JsonNode.Parse(text)!.AsObject();
            node["$schema"] = DialectId(draft);
            using var renamed = JsonDocument.Parse(node.ToJsonString());
            buildRoot = renamed.RootElement.Clone();
        }

        if (FindMetaSchemaViolations(buildRoot, MetaSchemaOf(draft)) is { } violations)
        {
            throw new SchemaParseException($"The JSON schema is not a valid {DraftName(draft)} schema: {violations}");
        }

        // References are checked before JsonSchema.Net builds the schema: an in-place cycle through allOf/anyOf would
        // overflow its stack at the first evaluation.
        var index = new JsonSchemaIndex(root, draft);
        if (index.FindUnresolvableReference() is { } reference)
        {
            throw new SchemaParseException($"The JSON schema has an unsupported reference: {reference}");
        }

        if (index.FindInPlaceCycle() is { } cycle)
        {
            throw new SchemaParseException($"The JSON schema is not valid: {cycle}");
        }

        JsonSchema schema;
        try
        {
            // A registry of its own: JsonSchema.Net registers every built schema by its $id, and two registered schemas
            // may share an $id (versions of one subject usually do).
            var options = new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = ToDialect(draft) };
            schema = JsonSchema.Build(buildRoot, options);
        }
        catch (Exception e) when (e is JsonSchemaException or JsonException or ArgumentException or FormatException or InvalidOperationException)
        {
            // ArgumentException: a pattern that is not a regular expression (RegexParseException).
            throw new SchemaParseException($"The JSON schema is not valid: {e.Message}", e);
        }

        return new JsonSchemaDocument(text, original, root, draft, schema, index);
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> CanRead(ParsedSchema reader, ParsedSchema writer)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);
        if (reader is not JsonSchemaDocument readerSchema || writer is not JsonSchemaDocument writerSchema)
        {
            throw new ArgumentException($"Both schemas must be JSON schemas; got {reader.Type.ToWire()} and {writer.Type.ToWire()}.");
        }

        return new JsonSchemaCompatibility(readerSchema, writerSchema).Check();
    }

    private static JsonSchemaDraft ReadDraft(JsonElement root, out string? schemaUri, out bool isDraft4)
    {
        schemaUri = null;
        isDraft4 = false;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("$schema", out var declared))
        {
            return JsonSchemaDraft.Draft7;
        }

        if (declared.ValueKind != JsonValueKind.String)
        {
            throw new SchemaParseException($"$schema must be a string (the URI of a JSON Schema draft), not {Describe(declared.ValueKind)}.");
        }

        schemaUri = declared.GetString()!;
        var normalised = schemaUri.TrimEnd('#');
        if (normalised.StartsWith("https://json-schema.org/draft-0", StringComparison.Ordinal))
        {
            normalised = "http" + normalised["https".Length..];
        }

        if (JsonSchemaDraft4.IsDraft4(normalised))
        {
            // Evaluated as its draft-07 translation.
            isDraft4 = true;
            return JsonSchemaDraft.Draft7;
        }

        return normalised switch
        {
            "http://json-schema.org/draft-07/schema" => JsonSchemaDraft.Draft7,
            "http://json-schema.org/draft-06/schema" => JsonSchemaDraft.Draft6,
            "https://json-schema.org/draft/2019-09/schema" => JsonSchemaDraft.Draft201909,
            "https://json-schema.org/draft/2020-12/schema" => JsonSchemaDraft.Draft202012,
            "http://json-schema.org/draft-03/schema" or "http://json-schema.org/schema" =>
                throw new SchemaParseException($"$schema '{schemaUri}' names a JSON Schema draft Sluice does not support; use draft-07 (the default), draft-04, draft-06, 2019-09 or 2020-12."),
            _ => throw new SchemaParseException($"$schema '{schemaUri}' is not a JSON Schema draft Sluice knows; use http://json-schema.org/draft-07/schema# (the default), http://json-schema.org/draft-04/schema#, http://json-schema.org/draft-06/schema#, https://json-schema.org/draft/2019-09/schema or https://json-schema.org/draft/2020-12/schema."),
        };
    }

    private static JsonSchema MetaSchemaOf(JsonSchemaDraft draft) => draft switch
    {
        JsonSchemaDraft.Draft6 => MetaSchemas.Draft6,
        JsonSchemaDraft.Draft201909 => MetaSchemas.Draft201909,
        JsonSchemaDraft.Draft202012 => MetaSchemas.Draft202012,
        _ => MetaSchemas.Draft7,
    };

    private static string? FindMetaSchemaViolations(JsonElement root, JsonSchema metaSchema)
    {
        var results = metaSchema.Evaluate(root, MetaSchemaOptions);
        if (results.IsValid)
        {
            return null;
        }

        // One violation per schema location: a keyword's value that fails an anyOf fails every branch, and listing
        // each branch's complaint would bury the one that helps.
        var byLocation = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var detail in results.Details ?? [])
        {
            if (detail.Errors is null || detail.Errors.Count == 0)
            {
                continue;
            }

            var location = JsonPath.SchemaLocation(detail.InstanceLocation.ToString());
            var error = detail.Errors.Values.First();
            // A type complaint is clearer than an enum one for the same value ("strin" is neither a type name nor an array of them).
            if (!byLocation.TryGetValue(location, out var existing) || (existing.Contains("should match one of the values", StringComparison.Ordinal) && !error.Contains("should match one of the values", StringComparison.Ordinal)))
            {
                byLocation[location] = error;
            }
        }

        if (byLocation.Count == 0)
        {
            return "it does not match its meta-schema.";
        }

        return string.Join("; ", byLocation.Take(MaxReportedErrors).Select(e => $"at {e.Key}: {e.Value}")) + (byLocation.Count > MaxReportedErrors ? $" (and {byLocation.Count - MaxReportedErrors} more)" : ".");
    }

    private static Dialect ToDialect(JsonSchemaDraft draft) => draft switch
    {
        JsonSchemaDraft.Draft6 => global::Json.Schema.Dialect.Draft06,
        JsonSchemaDraft.Draft201909 => global::Json.Schema.Dialect.Draft201909,
        JsonSchemaDraft.Draft202012 => global::Json.Schema.Dialect.Draft202012,
        _ => global::Json.Schema.Dialect.Draft07,
    };

    private static string DialectId(JsonSchemaDraft draft) => draft switch
    {
        JsonSchemaDraft.Draft6 => MetaSchemas.Draft6Id.OriginalString,
        JsonSchemaDraft.Draft201909 => MetaSchemas.Draft201909Id.OriginalString,
        JsonSchemaDraft.Draft202012 => MetaSchemas.Draft202012Id.OriginalString,
        _ => MetaSchemas.Draft7Id.OriginalString,
    };

    private static string DraftName(JsonSchemaDraft draft) => draft switch
    {
        JsonSchemaDraft.Draft6 => "draft-06",
        JsonSchemaDraft.Draft201909 => "2019-09",
        JsonSchemaDraft.Draft202012 => "2020-12",
        _ => "draft-07",
    };

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "an object",
    };
}
