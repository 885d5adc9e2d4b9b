using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sluice.Schemas.Json;

/// <summary>
/// A pass/fail evaluator of the common JSON Schema keywords, compiled once from the schema document: the gateway's
/// fast path. JsonSchema.Net 8 costs tens of microseconds per subschema even with flag output (it builds a result
/// node, pointers and URIs for each), which for a ten-field record is far over the per-record budget; this walks the
/// record once with precompiled regular expressions and no allocation on success. It only answers valid or invalid:
/// a failed record is evaluated again by JsonSchema.Net, which has the last word and writes the message. A schema that
/// uses a keyword it does not implement (<c>unevaluated*</c>, dynamic references, another draft's keywords) gets no
/// fast validator, and JsonSchema.Net evaluates every record.
/// </summary>
internal sealed class JsonFastValidator
{
    /// <summary>Keywords that constrain instances in some draft; one this validator does not implement for the schema's draft sends the schema to JsonSchema.Net.</summary>
    private static readonly HashSet<string> AssertionKeywords = new(StringComparer.Ordinal)
    {
        "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern", "items", "additionalItems", "prefixItems", "maxItems", "minItems",
        "uniqueItems", "contains", "maxContains", "minContains", "maxProperties", "minProperties", "required",
        "properties", "patternProperties", "additionalProperties", "dependencies", "dependentRequired",
        "dependentSchemas", "propertyNames", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "$ref",
        "$dynamicRef", "$recursiveRef", "$dynamicAnchor", "$recursiveAnchor", "unevaluatedItems", "unevaluatedProperties",
    };

    private static readonly HashSet<string> Common = new(StringComparer.Ordinal)
    {
        "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "contains", "maxProperties",
        "minProperties", "required", "properties", "patternProperties", "additionalProperties", "propertyNames",
        "allOf", "anyOf", "oneOf", "not", "$ref",
    };

    /// <summary>What each draft adds to <see cref="Common"/> that this validator implements.</summary>
    private static readonly Dictionary<JsonSchemaDraft, HashSet<string>> ByDraft = new()
    {
        [JsonSchemaDraft.Draft6] = new(StringComparer.Ordinal) { "items", "additionalItems", "dependencies" },
        [JsonSchemaDraft.Draft7] = new(StringComparer.Ordinal) { "items", "additionalItems", "dependencies", "if", "then", "else" },
        [JsonSchemaDraft.Draft201909] = new(StringComparer.Ordinal) { "items", "additionalItems", "dependentRequired", "dependentSchemas", "minContains", "maxContains", "if", "then", "else" },
        [JsonSchemaDraft.Draft202012] = new(StringComparer.Ordinal) { "prefixItems", "items", "dependentRequired", "dependentSchemas", "minContains", "maxContains", "if", "then", "else" },
    };

    private readonly Node _root;

    private JsonFastValidator(Node root) => _root = root;

    /// <summary>The fast validator of a parsed schema document, or null when it uses a keyword only JsonSchema.Net implements.</summary>
    public static JsonFastValidator? TryCreate(JsonElement root, JsonSchemaDraft draft, JsonSchemaIndex index)
    {
        var compiler = new Compiler(draft, index);
        var node = compiler.Compile(root, string.Empty);
        return compiler.Unsupported ? null : new JsonFastValidator(node);
    }

    /// <summary>Whether the instance is valid. Throws only what a pathological pattern's match timeout throws.</summary>
    public bool IsValid(JsonElement instance) => _root.IsValid(instance);

    /// <summary>Compiles subschemas by pointer, so that a <c>$ref</c> cycle compiles to a cycle of nodes rather than forever.</summary>
    private sealed class Compiler(JsonSchemaDraft draft, JsonSchemaIndex index)
    {
        private readonly Dictionary<string, Node> _compiled = new(StringComparer.Ordinal);
        private readonly HashSet<string> _supported = [.. Common, .. ByDraft[draft]];

        public bool Unsupported { get; private set; }

        public Node Compile(JsonElement schema, string pointer)
        {
            if (_compiled.TryGetValue(pointer, out var existing))
            {
                return existing;
            }

            var node = new Node();
            _compiled[pointer] = node;
            switch (schema.ValueKind)
            {
                case JsonValueKind.True:
                    return node;
                case JsonValueKind.False:
                    node.False = true;
                    return node;
                case JsonValueKind.Object:
                    break;
                default:
                    Unsupported = true;
                    return node;
            }

            foreach (var property in schema.EnumerateObject())
            {
                if (AssertionKeywords.Contains(property.Name) && !_supported.Contains(property.Name))
                {
                    Unsupported = true;
                    return node;
                }
            }

            if (schema.TryGetProperty("$ref", out var reference))
            {
                var target = reference.ValueKind == JsonValueKind.String ? index.ResolveFrom(pointer, reference.GetString()!) : null;
                if (target is null || index.ElementAt(target) is not { } targetSchema)
                {
                    Unsupported = true;
                    return node;
                }

                node.Reference = Compile(targetSchema, target);
                if (draft <= JsonSchemaDraft.Draft7)
                {
                    // Before 2019-09 a $ref's siblings are ignored.
                    return node;
                }
            }

            CompileKeywords(node, schema, pointer);
            return node;
        }

        private void CompileKeywords(Node node, JsonElement schema, string pointer)
        {
            if (schema.TryGetProperty("type", out var type))
            {
                node.Types = type.ValueKind == JsonValueKind.Array
                    ? type.EnumerateArray().Aggregate(InstanceTypes.None, (all, t) => all | TypeNamed(t.GetString()))
                    : TypeNamed(type.GetString());
            }

            if (schema.TryGetProperty("enum", out var values))
            {
                node.Enum = [.. values.EnumerateArray()];
            }

            if (schema.TryGetProperty("const", out var constant))
            {
                node.Const = constant;
                node.HasConst = true;
            }

            node.Minimum = Number(schema, "minimum");
            node.Maximum = Number(schema, "maximum");
            node.ExclusiveMinimum = Number(schema, "exclusiveMinimum");
            node.ExclusiveMaximum = Number(schema, "exclusiveMaximum");
            node.MultipleOf = Number(schema, "multipleOf");
            node.MinLength = Count(schema, "minLength");
            node.MaxLength = Count(schema, "maxLength");
            if (schema.TryGetProperty("pattern", out var pattern))
            {
                node.Pattern = NewRegex(pattern.GetString()!);
            }

            node.MinItems = Count(schema, "minItems");
            node.MaxItems = Count(schema, "maxItems");
            node.UniqueItems = schema.TryGetProperty("uniqueItems", out var unique) && unique.ValueKind == JsonValueKind.True;
            CompileItems(node, schema, pointer);
            node.Contains = Child(schema, pointer, "contains");
            node.MinContains = Count(schema, "minContains");
            node.MaxContains = Count(schema, "maxContains");

            node.MinProperties = Count(schema, "minProperties");
            node.MaxProperties = Count(schema, "maxProperties");
            if (schema.TryGetProperty("required", out var required))
            {
                node.Required = [.. required.EnumerateArray().Select(r => r.GetString()!)];
            }

            if (schema.TryGetProperty("properties", out var properties))
            {
                node.Properties = [.. properties.EnumerateObject().Select(p => (Encoding.UTF8.GetBytes(p.Name), Compile(p.Value, $"{pointer}/properties/{JsonPath.EscapeSegment(p.Name)}")))];
            }

            if (schema.TryGetProperty("patternProperties", out var patternProperties))
            {
                node.PatternProperties = [.. patternProperties.EnumerateObject().Select(p => (NewRegex(p.Name), Compile(p.Value, $"{pointer}/patternProperties/{JsonPath.EscapeSegment(p.Name)}")))];
            }

            node.AdditionalProperties = Child(schema, pointer, "additionalProperties");
            node.PropertyNames = Child(schema, pointer, "propertyNames");
            CompileDependencies(node, schema, pointer);

            node.AllOf = Children(schema, pointer, "allOf");
            node.AnyOf = Children(schema, pointer, "anyOf");
            node.OneOf = Children(schema, pointer, "oneOf");
            node.Not = Child(schema, pointer, "not");
            node.If = Child(schema, pointer, "if");
            node.Then = Child(schema, pointer, "then");
            node.Else = Child(schema, pointer, "else");
        }

        private void CompileItems(Node node, JsonElement schema, string pointer)
        {
            if (draft >= JsonSchemaDraft.Draft202012)
            {
                node.TupleItems = Children(schema, pointer, "prefixItems");
                node.RemainingItems = Child(schema, pointer, "items");
                return;
            }

            if (schema.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                node.TupleItems = Children(schema, pointer, "items");
                node.RemainingItems = Child(schema, pointer, "additionalItems");
            }
            else
            {
                // additionalItems means nothing without an items array.
                node.RemainingItems = Child(schema, pointer, "items");
            }
        }

        private void CompileDependencies(Node node, JsonElement schema, string pointer)
        {
            foreach (var keyword in (ReadOnlySpan<string>)["dependencies", "dependentRequired", "dependentSchemas"])
            {
                if (!_supported.Contains(keyword) || !schema.TryGetProperty(keyword, out var map))
                {
                    continue;
                }

                foreach (var entry in map.EnumerateObject())
                {
                    if (entry.Value.ValueKind == JsonValueKind.Array)
                    {
                        (node.DependentRequired ??= []).Add((entry.Name, [.. entry.Value.EnumerateArray().Select(n => n.GetString()!)]));
                    }
                    else
                    {
                        (node.DependentSchemas ??= []).Add((entry.Name, Compile(entry.Value, $"{pointer}/{keyword}/{JsonPath.EscapeSegment(entry.Name)}")));
                    }
                }
            }
        }

        private Node? Child(JsonElement schema, string pointer, string keyword) =>
            _supported.Contains(keyword) && schema.TryGetProperty(keyword, out var child) ? Compile(child, $"{pointer}/{keyword}") : null;

        private Node[]? Children(JsonElement schema, string pointer, string keyword)
        {
            if (!_supported.Contains(keyword) || !schema.TryGetProperty(keyword, out var array) || array.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var nodes = new Node[array.GetArrayLength()];
            for (var i = 0; i < nodes.Length; i++)
            {
                nodes[i] = Compile(array[i], $"{pointer}/{keyword}/{i.ToString(CultureInfo.InvariantCulture)}");
            }

            return nodes;
        }

        private static JsonElement? Number(JsonElement schema, string keyword) =>
            schema.TryGetProperty(keyword, out var value) && value.ValueKind == JsonValueKind.Number ? value : null;

        private static long? Count(JsonElement schema, string keyword) =>
            schema.TryGetProperty(keyword, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) ? (long)Math.Min(d, long.MaxValue) : null;

        /// <summary>As JsonSchema.Net compiles patterns (ECMAScript semantics: <c>\d</c> is ASCII digits), with a match timeout so a pathological pattern cannot stall the gateway.</summary>
        private static Regex NewRegex(string pattern) =>
            new(pattern, RegexOptions.ECMAScript | RegexOptions.Compiled, TimeSpan.FromSeconds(1));

        private static InstanceTypes TypeNamed(string? name) => name switch
        {
            "null" => InstanceTypes.Null,
            "boolean" => InstanceTypes.Boolean,
            "object" => InstanceTypes.Object,
            "array" => InstanceTypes.Array,
            "number" => InstanceTypes.Number | InstanceTypes.Integer,
            "integer" => InstanceTypes.Integer,
            "string" => InstanceTypes.String,
            _ => InstanceTypes.None,
        };
    }

    /// <summary>One compiled subschema: the keywords it has, checked in one pass over the instance.</summary>
    private sealed class Node
    {
        /// <summary>The longest string value checked on the stack; longer ones are decoded to a string.</summary>
        private const int MaxStackChars = 512;

        public bool False;
        public Node? Reference;
        public InstanceTypes? Types;
        public JsonElement[]? Enum;
        public bool HasConst;
        public JsonElement Const;
        public JsonElement? Minimum, Maximum, ExclusiveMinimum, ExclusiveMaximum, MultipleOf;
        public long? MinLength, MaxLength, MinItems, MaxItems, MinContains, MaxContains, MinProperties, MaxProperties;
        public Regex? Pattern;
        public bool UniqueItems;
        public Node[]? TupleItems;
        public Node? RemainingItems, Contains, AdditionalProperties, PropertyNames, Not, If, Then, Else;
        public string[]? Required;
        /// <summary>By UTF-8 name, so a record's properties are found and matched without decoding their names.</summary>
        public (byte[] Name, Node Schema)[]? Properties;
        public (Regex Pattern, Node Schema)[]? PatternProperties;
        public List<(string Property, string[] Required)>? DependentRequired;
        public List<(string Property, Node Schema)>? DependentSchemas;
        public Node[]? AllOf, AnyOf, OneOf;

        public bool IsValid(JsonElement instance)
        {
            if (False)
            {
                return false;
            }

            if (Reference is not null && !Reference.IsValid(instance))
            {
                return false;
            }

            if (Types is { } types && (types & TypeOf(instance)) == 0)
            {
                return false;
            }

            if (Enum is not null && !InEnum(instance))
            {
                return false;
            }

            if (HasConst && !JsonElement.DeepEquals(Const, instance))
            {
                return false;
            }

            var typeValid = instance.ValueKind switch
            {
                JsonValueKind.Number => NumberValid(instance),
                JsonValueKind.String => StringValid(instance),
                JsonValueKind.Array => ArrayValid(instance),
                JsonValueKind.Object => ObjectValid(instance),
                _ => true,
            };
            return typeValid && ApplicatorsValid(instance);
        }

        private bool ApplicatorsValid(JsonElement instance)
        {
            if (AllOf is not null)
            {
                foreach (var branch in AllOf)
                {
                    if (!branch.IsValid(instance))
                    {
                        return false;
                    }
                }
            }

            if (AnyOf is not null && !AnyValid(AnyOf, instance))
            {
                return false;
            }

            if (OneOf is not null)
            {
                var matches = 0;
                foreach (var branch in OneOf)
                {
                    if (branch.IsValid(instance) && ++matches > 1)
                    {
                        return false;
                    }
                }

                if (matches != 1)
                {
                    return false;
                }
            }

            if (Not is not null && Not.IsValid(instance))
            {
                return false;
            }

            if (If is not null)
            {
                var branch = If.IsValid(instance) ? Then : Else;
                if (branch is not null && !branch.IsValid(instance))
                {
                    return false;
                }
            }

            return true;
        }

        private bool NumberValid(JsonElement instance)
        {
            if (Minimum is { } min && Compare(instance, min) < 0)
            {
                return false;
            }

            if (Maximum is { } max && Compare(instance, max) > 0)
            {
                return false;
            }

            if (ExclusiveMinimum is { } exMin && Compare(instance, exMin) <= 0)
            {
                return false;
            }

            if (ExclusiveMaximum is { } exMax && Compare(instance, exMax) >= 0)
            {
                return false;
            }

            return MultipleOf is not { } multiple || IsMultiple(instance, multiple);
        }

        private bool StringValid(JsonElement instance)
        {
            if (MinLength is null && MaxLength is null && Pattern is null)
            {
                return true;
            }

            // An unescaped ASCII value (the usual case) is checked on its bytes, widened on the stack: no string per value.
            var raw = JsonMarshal.GetRawUtf8Value(instance);
            if (raw.Length >= 2 && raw.Length - 2 <= MaxStackChars && raw.IndexOf((byte)'\\') < 0 && Ascii.IsValid(raw))
            {
                var bytes = raw[1..^1];
                if (bytes.Length < MinLength || bytes.Length > MaxLength)
                {
                    return false;
                }

                if (Pattern is null)
                {
                    return true;
                }

                Span<char> chars = stackalloc char[bytes.Length];
                Ascii.ToUtf16(bytes, chars, out _);
                return Pattern.IsMatch(chars);
            }

            var text = instance.GetString()!;
            if (MinLength is not null || MaxLength is not null)
            {
                // JsonSchema.Net counts text elements (a letter and its combining marks are one), as users count characters.
                var length = Ascii.IsValid(text) ? text.Length : new StringInfo(text).LengthInTextElements;
                if (length < MinLength || length > MaxLength)
                {
                    return false;
                }
            }

            return Pattern is null || Pattern.IsMatch(text);
        }

        private bool ArrayValid(JsonElement instance)
        {
            var length = instance.GetArrayLength();
            if (length < MinItems || length > MaxItems)
            {
                return false;
            }

            var index = 0;
            var containsCount = 0;
            foreach (var item in instance.EnumerateArray())
            {
                var schema = TupleItems is not null && index < TupleItems.Length ? TupleItems[index] : RemainingItems;
                if (schema is not null && !schema.IsValid(item))
                {
                    return false;
                }

                if (Contains is not null && Contains.IsValid(item))
                {
                    containsCount++;
                }

                index++;
            }

            if (Contains is not null && (containsCount < (MinContains ?? 1) || containsCount > MaxContains))
            {
                return false;
            }

            if (UniqueItems)
            {
                for (var i = 0; i < length; i++)
                {
                    for (var j = i + 1; j < length; j++)
                    {
                        if (JsonElement.DeepEquals(instance[i], instance[j]))
                        {
                            return false;
                        }
                    }
                }
            }

            return true;
        }

        private bool ObjectValid(JsonElement instance)
        {
            if (MinProperties is not null || MaxProperties is not null)
            {
                var count = instance.GetPropertyCount();
                if (count < MinProperties || count > MaxProperties)
                {
                    return false;
                }
            }

            if (Required is not null)
            {
                foreach (var name in Required)
                {
                    if (!instance.TryGetProperty(name, out _))
                    {
                        return false;
                    }
                }
            }

            if (PatternProperties is null && AdditionalProperties is null && PropertyNames is null)
            {
                // Only named properties: look each up (by UTF-8 name, no decoding) rather than walk the record's.
                foreach (var (name, schema) in Properties ?? [])
                {
                    if (instance.TryGetProperty(name, out var value) && !schema.IsValid(value))
                    {
                        return false;
                    }
                }
            }
            else
            {
                foreach (var property in instance.EnumerateObject())
                {
                    if (!PropertyValid(property))
                    {
                        return false;
                    }
                }
            }

            if (DependentRequired is not null)
            {
                foreach (var (name, names) in DependentRequired)
                {
                    if (instance.TryGetProperty(name, out _))
                    {
                        foreach (var dependent in names)
                        {
                            if (!instance.TryGetProperty(dependent, out _))
                            {
                                return false;
                            }
                        }
                    }
                }
            }

            if (DependentSchemas is not null)
            {
                foreach (var (name, schema) in DependentSchemas)
                {
                    if (instance.TryGetProperty(name, out _) && !schema.IsValid(instance))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        private bool PropertyValid(JsonProperty property)
        {
            if (PropertyNames is not null)
            {
                using var name = JsonDocument.Parse("\"" + JsonEncodedText.Encode(property.Name).ToString() + "\"");
                if (!PropertyNames.IsValid(name.RootElement))
                {
                    return false;
                }
            }

            var matched = false;
            foreach (var (name, schema) in Properties ?? [])
            {
                if (property.NameEquals(name))
                {
                    matched = true;
                    if (!schema.IsValid(property.Value))
                    {
                        return false;
                    }

                    break;
                }
            }

            if (PatternProperties is not null)
            {
                foreach (var (pattern, patternSchema) in PatternProperties)
                {
                    if (pattern.IsMatch(property.Name))
                    {
                        matched = true;
                        if (!patternSchema.IsValid(property.Value))
                        {
                            return false;
                        }
                    }
                }
            }

            return matched || AdditionalProperties is null || AdditionalProperties.IsValid(property.Value);
        }

        private static bool AnyValid(Node[] branches, JsonElement instance)
        {
            foreach (var branch in branches)
            {
                if (branch.IsValid(instance))
                {
                    return true;
                }
            }

            return false;
        }

        private bool InEnum(JsonElement instance)
        {
            foreach (var value in Enum!)
            {
                if (JsonElement.DeepEquals(value, instance))
                {
                    return true;
                }
            }

            return false;
        }

        private static InstanceTypes TypeOf(JsonElement instance) => instance.ValueKind switch
        {
            JsonValueKind.Null => InstanceTypes.Null,
            JsonValueKind.True or JsonValueKind.False => InstanceTypes.Boolean,
            JsonValueKind.Object => InstanceTypes.Object,
            JsonValueKind.Array => InstanceTypes.Array,
            JsonValueKind.String => InstanceTypes.String,
            JsonValueKind.Number => IsInteger(instance) ? InstanceTypes.Integer : InstanceTypes.Number,
            _ => InstanceTypes.None,
        };

        private static bool IsInteger(JsonElement number) =>
            number.TryGetDecimal(out var d) ? d == decimal.Truncate(d) : Math.Floor(number.GetDouble()) == number.GetDouble();

        private static int Compare(JsonElement a, JsonElement b) =>
            a.TryGetDecimal(out var x) && b.TryGetDecimal(out var y) ? x.CompareTo(y) : a.GetDouble().CompareTo(b.GetDouble());

        private static bool IsMultiple(JsonElement value, JsonElement divisor)
        {
            if (value.TryGetDecimal(out var v) && divisor.TryGetDecimal(out var d))
            {
                return d != 0 && v % d == 0;
            }

            var quotient = value.GetDouble() / divisor.GetDouble();
            return double.IsFinite(quotient) && Math.Abs(quotient - Math.Round(quotient)) < 1e-9;
        }
    }

    /// <summary>The instance types a <c>type</c> keyword allows; <c>number</c> includes integers.</summary>
    [Flags]
    private enum InstanceTypes
    {
        None = 0,
        Null = 1,
        Boolean = 2,
        Object = 4,
        Array = 8,
        Number = 16,
        Integer = 32,
        String = 64,
    }
}
