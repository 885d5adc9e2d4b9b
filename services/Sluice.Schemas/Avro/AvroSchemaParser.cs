using System.Text.Json;

namespace Sluice.Schemas.Avro;

/// <summary>
/// Builds the <see cref="AvroNode"/> tree from a schema's JSON, enforcing what Confluent enforces and Apache.Avro's C#
/// parser lets through: valid names, namespaces, aliases and enum symbols; no duplicate fields, symbols or union
/// branches; defaults that match their field's type (a union's default matches its first branch).
/// </summary>
internal sealed class AvroSchemaParser
{
    private readonly Dictionary<string, AvroNode> _named = new(StringComparer.Ordinal);
    private readonly List<(AvroField Field, string Path)> _defaults = [];

    private AvroSchemaParser()
    {
    }

    /// <summary>Parses a schema's JSON; throws <see cref="SchemaParseException"/> naming the path of the first problem.</summary>
    public static AvroNode Parse(JsonElement root)
    {
        var parser = new AvroSchemaParser();
        var node = parser.ParseType(root, enclosingNamespace: null, path: "");
        foreach (var (field, path) in parser._defaults)
        {
            var violation = AvroJson.Check(field.Type, field.Default!.Value, AvroJsonMode.Default, depth: 0);
            if (violation is not null)
            {
                throw new SchemaParseException(
                    $"field '{field.Name}' (at {Display(path)}) has a default that does not match its type {field.Type.Describe()}: {violation.FormatNested()}.");
            }
        }

        SetMinSizes(node, [], []);
        return node;
    }

    /// <summary>True when <paramref name="name"/> is an Avro name: a letter or underscore, then letters, digits and underscores.</summary>
    public static bool IsValidName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidFullName(string fullName)
    {
        foreach (var part in fullName.Split('.'))
        {
            if (!IsValidName(part))
            {
                return false;
            }
        }

        return true;
    }

    private static string Display(string path) => path.Length == 0 ? "/" : path;

    private static SchemaParseException Error(string path, string message) => new($"at {Display(path)}: {message}");

    private AvroNode ParseType(JsonElement element, string? enclosingNamespace, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Resolve(element.GetString()!, enclosingNamespace, path);
            case JsonValueKind.Array:
                return ParseUnion(element, enclosingNamespace, path);
            case JsonValueKind.Object:
                return ParseObject(element, enclosingNamespace, path);
            default:
                throw Error(path, $"a schema is a type name, an object or a union array, not {AvroJson.DescribeKind(element.ValueKind)}");
        }
    }

    private AvroNode Resolve(string name, string? enclosingNamespace, string path)
    {
        if (AvroNode.PrimitiveKind(name) is { } kind)
        {
            return AvroNode.Primitive(kind);
        }

        if (!name.Contains('.', StringComparison.Ordinal) && !string.IsNullOrEmpty(enclosingNamespace)
            && _named.TryGetValue($"{enclosingNamespace}.{name}", out var inNamespace))
        {
            return inNamespace;
        }

        if (_named.TryGetValue(name, out var named))
        {
            return named;
        }

        throw Error(path, $"unknown type '{name}': it is neither a primitive type nor a named type defined before it");
    }

    private AvroNode ParseUnion(JsonElement element, string? enclosingNamespace, string path)
    {
        var count = element.GetArrayLength();
        if (count == 0)
        {
            throw Error(path, "a union needs at least one branch");
        }

        var branches = new AvroNode[count];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            var branchPath = $"{path}/{i}";
            var branch = ParseType(item, enclosingNamespace, branchPath);
            if (branch.Kind == AvroKind.Union)
            {
                throw Error(branchPath, "a union may not contain another union directly");
            }

            if (!keys.Add(branch.DisplayName))
            {
                throw Error(branchPath, $"the union already has a {branch.DisplayName} branch; a union may not hold the same type twice");
            }

            branches[i++] = branch;
        }

        return new AvroNode(AvroKind.Union) { Branches = branches };
    }

    private AvroNode ParseObject(JsonElement element, string? enclosingNamespace, string path)
    {
        if (!element.TryGetProperty("type", out var typeElement))
        {
            throw Error(path, "a schema object needs a \"type\"");
        }

        if (typeElement.ValueKind != JsonValueKind.String)
        {
            // A nested object or union under "type" is how fields spell their type, not schemas: say so.
            throw Error(path, $"\"type\" of a schema object must be a string, not {AvroJson.DescribeKind(typeElement.ValueKind)}");
        }

        var type = typeElement.GetString()!;
        var logicalType = OptionalString(element, "logicalType", path);
        switch (type)
        {
            case "record" or "error":
                return ParseRecord(element, enclosingNamespace, path, logicalType);
            case "enum":
                return ParseEnum(element, enclosingNamespace, path, logicalType);
            case "fixed":
                return ParseFixed(element, enclosingNamespace, path, logicalType);
            case "array":
                return new AvroNode(AvroKind.Array)
                {
                    Items = ParseType(Required(element, "items", path), enclosingNamespace, $"{path}/items"),
                    LogicalType = logicalType,
                };
            case "map":
                return new AvroNode(AvroKind.Map)
                {
                    Items = ParseType(Required(element, "values", path), enclosingNamespace, $"{path}/values"),
                    LogicalType = logicalType,
                };
        }

        if (AvroNode.PrimitiveKind(type) is { } kind)
        {
            if (logicalType is null)
            {
                return AvroNode.Primitive(kind);
            }

            return new AvroNode(kind)
            {
                LogicalType = logicalType,
                Precision = OptionalInt(element, "precision", path),
                Scale = OptionalInt(element, "scale", path),
                MinSize = AvroNode.MinSizeOf(kind),
            };
        }

        return Resolve(type, enclosingNamespace, path);
    }

    private (string FullName, string? Namespace, string[] Aliases) ParseName(JsonElement element, string? enclosingNamespace, string path)
    {
        var name = OptionalString(element, "name", path) ?? throw Error(path, "a named type needs a \"name\"");
        string? ns;
        string fullName;
        if (name.Contains('.', StringComparison.Ordinal))
        {
            fullName = name;
            ns = name[..name.LastIndexOf('.')];
        }
        else
        {
            ns = element.TryGetProperty("namespace", out var nsElement) && nsElement.ValueKind != JsonValueKind.Null
                ? nsElement.ValueKind == JsonValueKind.String ? nsElement.GetString() : throw Error(path, "\"namespace\" must be a string")
                : enclosingNamespace;
            fullName = string.IsNullOrEmpty(ns) ? name : $"{ns}.{name}";
        }

        if (!IsValidFullName(fullName))
        {
            throw Error(path, $"'{fullName}' is not a valid Avro name: each dot-separated part starts with a letter or '_' and holds only letters, digits and '_'");
        }

        if (AvroNode.PrimitiveKind(fullName) is not null)
        {
            throw Error(path, $"'{fullName}' is a primitive type name and cannot name a {OptionalString(element, "type", path)}");
        }

        if (_named.ContainsKey(fullName))
        {
            throw Error(path, $"a type named '{fullName}' is already defined");
        }

        var aliases = StringArray(element, "aliases", path) ?? [];
        for (var i = 0; i < aliases.Length; i++)
        {
            var alias = aliases[i].Contains('.', StringComparison.Ordinal) || string.IsNullOrEmpty(ns) ? aliases[i] : $"{ns}.{aliases[i]}";
            if (!IsValidFullName(alias))
            {
                throw Error($"{path}/aliases/{i}", $"'{aliases[i]}' is not a valid Avro name");
            }

            aliases[i] = alias;
        }

        return (fullName, ns, aliases);
    }

    private AvroNode ParseRecord(JsonElement element, string? enclosingNamespace, string path, string? logicalType)
    {
        var (fullName, ns, aliases) = ParseName(element, enclosingNamespace, path);
        var fieldsElement = Required(element, "fields", path);
        if (fieldsElement.ValueKind != JsonValueKind.Array)
        {
            throw Error(path, "a record's \"fields\" must be an array");
        }

        var record = new AvroNode(AvroKind.Record) { FullName = fullName, Aliases = aliases, LogicalType = logicalType };
        _named.Add(fullName, record);
        var fields = new AvroField[fieldsElement.GetArrayLength()];
        var names = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var fieldElement in fieldsElement.EnumerateArray())
        {
            var fieldPath = $"{path}/fields/{i}";
            if (fieldElement.ValueKind != JsonValueKind.Object)
            {
                throw Error(fieldPath, "a field must be an object with a \"name\" and a \"type\"");
            }

            var name = OptionalString(fieldElement, "name", fieldPath) ?? throw Error(fieldPath, "a field needs a \"name\"");
            if (!IsValidName(name))
            {
                throw Error(fieldPath, $"'{name}' is not a valid field name: it starts with a letter or '_' and holds only letters, digits and '_'");
            }

            if (!names.Add(name))
            {
                throw Error(fieldPath, $"record '{fullName}' already has a field named '{name}'");
            }

            var type = ParseType(Required(fieldElement, "type", fieldPath), ns, $"{fieldPath}/type");
            var fieldAliases = StringArray(fieldElement, "aliases", fieldPath) ?? [];
            foreach (var alias in fieldAliases)
            {
                if (!IsValidName(alias))
                {
                    throw Error(fieldPath, $"field alias '{alias}' is not a valid field name");
                }
            }

            var order = OptionalString(fieldElement, "order", fieldPath) ?? "ascending";
            if (order is not ("ascending" or "descending" or "ignore"))
            {
                throw Error(fieldPath, $"\"order\" is '{order}'; it must be ascending, descending or ignore");
            }

            JsonElement? defaultValue = fieldElement.TryGetProperty("default", out var d) ? d.Clone() : null;
            var field = new AvroField(name, i, type, defaultValue, fieldAliases, order);
            if (defaultValue.HasValue)
            {
                _defaults.Add((field, fieldPath));
            }

            fields[i++] = field;
        }

        record.Fields = fields;
        return record;
    }

    private AvroNode ParseEnum(JsonElement element, string? enclosingNamespace, string path, string? logicalType)
    {
        var (fullName, _, aliases) = ParseName(element, enclosingNamespace, path);
        var symbols = StringArray(element, "symbols", path) ?? throw Error(path, "an enum needs \"symbols\", an array of strings");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < symbols.Length; i++)
        {
            if (!IsValidName(symbols[i]))
            {
                throw Error($"{path}/symbols/{i}", $"'{symbols[i]}' is not a valid enum symbol: it starts with a letter or '_' and holds only letters, digits and '_'");
            }

            if (!seen.Add(symbols[i]))
            {
                throw Error($"{path}/symbols/{i}", $"enum '{fullName}' lists the symbol '{symbols[i]}' twice");
            }
        }

        var enumDefault = OptionalString(element, "default", path);
        if (enumDefault is not null && !seen.Contains(enumDefault))
        {
            throw Error(path, $"the default '{enumDefault}' of enum '{fullName}' is not one of its symbols");
        }

        var node = new AvroNode(AvroKind.Enum)
        {
            FullName = fullName,
            Aliases = aliases,
            Symbols = symbols,
            EnumDefault = enumDefault,
            LogicalType = logicalType,
        };
        _named.Add(fullName, node);
        return node;
    }

    private AvroNode ParseFixed(JsonElement element, string? enclosingNamespace, string path, string? logicalType)
    {
        var (fullName, _, aliases) = ParseName(element, enclosingNamespace, path);
        var size = OptionalInt(element, "size", path) ?? throw Error(path, "a fixed type needs a \"size\"");
        if (size < 0)
        {
            throw Error(path, $"the size of fixed '{fullName}' is {size}; it cannot be negative");
        }

        var node = new AvroNode(AvroKind.Fixed)
        {
            FullName = fullName,
            Aliases = aliases,
            Size = size,
            LogicalType = logicalType,
            Precision = OptionalInt(element, "precision", path),
            Scale = OptionalInt(element, "scale", path),
        };
        _named.Add(fullName, node);
        return node;
    }

    private static JsonElement Required(JsonElement element, string property, string path) =>
        element.TryGetProperty(property, out var value) ? value : throw Error(path, $"\"{property}\" is missing");

    private static string? OptionalString(JsonElement element, string property, string path)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Error(path, $"\"{property}\" must be a string");
    }

    private static int? OptionalInt(JsonElement element, string property, string path)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw Error(path, $"\"{property}\" must be an integer");
    }

    private static string[]? StringArray(JsonElement element, string property, string path)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error(path, $"\"{property}\" must be an array of strings");
        }

        var result = new string[value.GetArrayLength()];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            result[i++] = item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Error(path, $"\"{property}\" must be an array of strings");
        }

        return result;
    }

    /// <summary>
    /// Computes <see cref="AvroNode.MinSize"/> bottom-up, each named type once (a schema may share one record many
    /// times over). A record still being sized (a recursive reference) counts as zero: recursion always passes through
    /// a union or a collection, which take at least a byte of their own.
    /// </summary>
    private static int SetMinSizes(AvroNode node, HashSet<AvroNode> inProgress, HashSet<AvroNode> done)
    {
        if (done.Contains(node))
        {
            return node.MinSize;
        }

        switch (node.Kind)
        {
            case AvroKind.Record:
                if (!inProgress.Add(node))
                {
                    return 0;
                }

                var total = 0;
                foreach (var field in node.Fields)
                {
                    total = (int)Math.Min(int.MaxValue, (long)total + SetMinSizes(field.Type, inProgress, done));
                }

                node.MinSize = total;
                inProgress.Remove(node);
                done.Add(node);
                return total;
            case AvroKind.Union:
                foreach (var branch in node.Branches)
                {
                    SetMinSizes(branch, inProgress, done);
                }

                node.MinSize = 1;
                return 1;
            case AvroKind.Array or AvroKind.Map:
                SetMinSizes(node.Items!, inProgress, done);
                node.MinSize = 1;
                return 1;
            case AvroKind.Fixed:
                node.MinSize = node.Size;
                return node.Size;
            case AvroKind.Enum:
                node.MinSize = 1;
                return 1;
            default:
                return node.MinSize;
        }
    }
}
