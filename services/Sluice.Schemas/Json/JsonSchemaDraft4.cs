using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Sluice.Schemas.Json;

/// <summary>
/// Draft-04 schemas, which JsonSchema.Net does not implement but NJsonSchema (and so Confluent's .NET
/// <c>JsonSerializer&lt;T&gt;</c>) generates. A draft-04 schema is checked against the draft-04 meta-schema, then
/// translated to a draft-07 schema that means the same: every other part of the format (JsonSchema.Net, the fast
/// path, the compatibility check) sees only the translation, while the registry keeps and serves the text as written.
/// </summary>
/// <remarks>
/// The differences that matter for validation are few: a schema's <c>id</c> became <c>$id</c>, and
/// <c>exclusiveMaximum</c>/<c>exclusiveMinimum</c> were booleans qualifying <c>maximum</c>/<c>minimum</c> before they
/// became numbers of their own. Keywords added after draft-04 mean nothing to a draft-04 validator; rather than
/// silently ignore (or silently enforce) them, parsing refuses a draft-04 schema that uses one, so a schema that is
/// really draft-06 or later has to say so.
/// </remarks>
internal static class JsonSchemaDraft4
{
    /// <summary>
    /// The draft-04 meta-schema (http://json-schema.org/draft-04/schema#) written in draft-07, so JsonSchema.Net can
    /// evaluate it: the only draft-04 construct in it, <c>multipleOf</c>'s <c>"minimum":0,"exclusiveMinimum":true</c>,
    /// becomes <c>"exclusiveMinimum":0</c>; its <c>id</c> is dropped (nothing refers to it by that URI).
    /// </summary>
    private const string MetaSchemaText = """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "definitions": {
            "schemaArray": { "type": "array", "minItems": 1, "items": { "$ref": "#" } },
            "positiveInteger": { "type": "integer", "minimum": 0 },
            "positiveIntegerDefault0": { "allOf": [ { "$ref": "#/definitions/positiveInteger" }, { "default": 0 } ] },
            "simpleTypes": { "enum": [ "array", "boolean", "integer", "null", "number", "object", "string" ] },
            "stringArray": { "type": "array", "items": { "type": "string" }, "minItems": 1, "uniqueItems": true }
          },
          "type": "object",
          "properties": {
            "id": { "type": "string" },
            "$schema": { "type": "string" },
            "title": { "type": "string" },
            "description": { "type": "string" },
            "default": {},
            "multipleOf": { "type": "number", "exclusiveMinimum": 0 },
            "maximum": { "type": "number" },
            "exclusiveMaximum": { "type": "boolean", "default": false },
            "minimum": { "type": "number" },
            "exclusiveMinimum": { "type": "boolean", "default": false },
            "maxLength": { "$ref": "#/definitions/positiveInteger" },
            "minLength": { "$ref": "#/definitions/positiveIntegerDefault0" },
            "pattern": { "type": "string", "format": "regex" },
            "additionalItems": { "anyOf": [ { "type": "boolean" }, { "$ref": "#" } ], "default": {} },
            "items": { "anyOf": [ { "$ref": "#" }, { "$ref": "#/definitions/schemaArray" } ], "default": {} },
            "maxItems": { "$ref": "#/definitions/positiveInteger" },
            "minItems": { "$ref": "#/definitions/positiveIntegerDefault0" },
            "uniqueItems": { "type": "boolean", "default": false },
            "maxProperties": { "$ref": "#/definitions/positiveInteger" },
            "minProperties": { "$ref": "#/definitions/positiveIntegerDefault0" },
            "required": { "$ref": "#/definitions/stringArray" },
            "additionalProperties": { "anyOf": [ { "type": "boolean" }, { "$ref": "#" } ], "default": {} },
            "definitions": { "type": "object", "additionalProperties": { "$ref": "#" }, "default": {} },
            "properties": { "type": "object", "additionalProperties": { "$ref": "#" }, "default": {} },
            "patternProperties": { "type": "object", "additionalProperties": { "$ref": "#" }, "default": {} },
            "dependencies": { "type": "object", "additionalProperties": { "anyOf": [ { "$ref": "#" }, { "$ref": "#/definitions/stringArray" } ] } },
            "enum": { "type": "array", "minItems": 1, "uniqueItems": true },
            "type": {
              "anyOf": [
                { "$ref": "#/definitions/simpleTypes" },
                { "type": "array", "items": { "$ref": "#/definitions/simpleTypes" }, "minItems": 1, "uniqueItems": true }
              ]
            },
            "format": { "type": "string" },
            "allOf": { "$ref": "#/definitions/schemaArray" },
            "anyOf": { "$ref": "#/definitions/schemaArray" },
            "oneOf": { "$ref": "#/definitions/schemaArray" },
            "not": { "$ref": "#" }
          },
          "dependencies": {
            "exclusiveMaximum": [ "maximum" ],
            "exclusiveMinimum": [ "minimum" ]
          },
          "default": {}
        }
        """;

    /// <summary>Keywords draft-04 does not have that would change what a record may be (or what a reference points to) under draft-07 rules.</summary>
    private static readonly HashSet<string> LaterKeywords = new(StringComparer.Ordinal)
    {
        "$id", "$anchor", "$dynamicAnchor", "$recursiveAnchor", "$dynamicRef", "$recursiveRef",
        "const", "contains", "propertyNames", "if", "then", "else", "dependentRequired", "dependentSchemas",
        "prefixItems", "minContains", "maxContains", "unevaluatedItems", "unevaluatedProperties",
    };

    /// <summary>Draft-04 keywords whose value is one subschema (or a boolean, for the additional* ones).</summary>
    private static readonly string[] SchemaKeywords = ["additionalItems", "additionalProperties", "items", "not"];

    /// <summary>Draft-04 keywords whose value is an array of subschemas (<c>items</c> as a tuple too).</summary>
    private static readonly string[] SchemaArrayKeywords = ["allOf", "anyOf", "oneOf", "items"];

    /// <summary>Draft-04 keywords whose value maps names to subschemas (<c>dependencies</c> also to arrays of names).</summary>
    private static readonly string[] SchemaMapKeywords = ["definitions", "properties", "patternProperties", "dependencies"];

    /// <summary>Built once: its own registry, so nothing else registered can shadow it.</summary>
    public static JsonSchema MetaSchema { get; } = JsonSchema.Build(
        JsonDocument.Parse(MetaSchemaText).RootElement.Clone(),
        new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft07 });

    /// <summary>Whether a <c>$schema</c> URI, without its trailing '#' and with http for https, names draft-04.</summary>
    public static bool IsDraft4(string normalisedSchemaUri) =>
        normalisedSchemaUri == "http://json-schema.org/draft-04/schema";

    /// <summary>
    /// The draft-07 equivalent of a draft-04 schema that passed the draft-04 meta-schema: <c>$schema</c> names
    /// draft-07, each schema's <c>id</c> is its <c>$id</c>, and boolean exclusive bounds are numeric ones.
    /// </summary>
    /// <exception cref="SchemaParseException">The schema uses a keyword that only exists after draft-04.</exception>
    public static JsonElement Translate(JsonElement root)
    {
        var node = JsonNode.Parse(root.GetRawText())!.AsObject();
        TranslateSchema(node, string.Empty);
        node["$schema"] = MetaSchemas.Draft7Id.OriginalString;
        using var translated = JsonDocument.Parse(node.ToJsonString());
        return translated.RootElement.Clone();
    }

    private static void TranslateSchema(JsonNode? schema, string pointer)
    {
        // The meta-schema check already made every subschema position an object (or a boolean where draft-04 allows one).
        if (schema is not JsonObject obj)
        {
            return;
        }

        foreach (var (name, _) in obj)
        {
            if (LaterKeywords.Contains(name))
            {
                throw new SchemaParseException($"The JSON schema declares draft-04, which has no '{name}' keyword (at {JsonPath.SchemaLocation(pointer)}); a draft-04 validator would ignore it. Declare http://json-schema.org/draft-07/schema# (or leave $schema out) to use it.");
            }
        }

        if (obj["id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String)
        {
            // First: JsonSchema.Net takes the base URI from $id as it meets it, so subschemas built before a trailing
            // $id would be registered under the wrong base (and collide when the right one arrives).
            obj.Remove("id");
            obj.Insert(0, "$id", id.DeepClone());
        }

        TranslateBound(obj, "maximum", "exclusiveMaximum");
        TranslateBound(obj, "minimum", "exclusiveMinimum");

        // Collect first: the loop below does not change these keywords, but it replaces nodes inside them.
        foreach (var (name, value) in obj.ToList())
        {
            var childPointer = pointer + "/" + JsonPath.EscapeSegment(name);
            if (Array.IndexOf(SchemaArrayKeywords, name) >= 0 && value is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    TranslateSchema(array[i], childPointer + "/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            else if (Array.IndexOf(SchemaKeywords, name) >= 0)
            {
                TranslateSchema(value, childPointer);
            }
            else if (Array.IndexOf(SchemaMapKeywords, name) >= 0 && value is JsonObject map)
            {
                foreach (var (entryName, entry) in map.ToList())
                {
                    // A dependencies entry may be an array of property names rather than a schema; TranslateSchema skips it.
                    TranslateSchema(entry, childPointer + "/" + JsonPath.EscapeSegment(entryName));
                }
            }
        }
    }

    /// <summary>
    /// <c>"maximum":5,"exclusiveMaximum":true</c> becomes <c>"exclusiveMaximum":5</c>; <c>"exclusiveMaximum":false</c>
    /// (the default) is dropped. The meta-schema made sure a boolean bound has its number beside it.
    /// </summary>
    private static void TranslateBound(JsonObject schema, string bound, string exclusive)
    {
        if (schema[exclusive] is not JsonValue flag || flag.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            return;
        }

        schema.Remove(exclusive);
        if (flag.GetValue<bool>() && schema[bound] is { } limit)
        {
            schema.Remove(bound);
            schema[exclusive] = limit.DeepClone();
        }
    }
}
