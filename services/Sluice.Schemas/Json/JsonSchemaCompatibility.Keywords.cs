using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sluice.Schemas.Json;

/// <summary>The comparison of one reader subschema's own keywords with one writer subschema's: types, values, numbers, strings (objects and arrays in their own files).</summary>
internal sealed partial class JsonSchemaCompatibility
{
    /// <summary>How long checking one writer enum value against a reader's pattern may take before it counts as not matching.</summary>
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Adds why an instance valid under the writer's own keywords may fail the reader's own keywords.</summary>
    private void CompareOwn(SchemaNode reader, SchemaNode writer, string path, List<string> reasons)
    {
        if (writer.IsFalse || !reader.HasOwnAssertions)
        {
            return;
        }

        if (reader.IsFalse)
        {
            reasons.Add($"{path}: the reader's schema is false (it allows no value here) but the writer's allows values.");
            return;
        }

        var writerValues = Values(writer);
        var writerTypes = DeclaredTypes(writer);
        if (writerValues is not null)
        {
            var valueTypes = JsonTypes.None;
            foreach (var value in writerValues)
            {
                valueTypes |= TypeOf(value);
            }

            writerTypes = Narrow(writerTypes, valueTypes);
        }

        var readerTypes = DeclaredTypes(reader);
        CompareTypes(readerTypes, writerTypes, writer, path, reasons);
        CompareValues(reader, writerValues, writerTypes, path, reasons);

        // The families both sides have values of (a writer's numbers include integers a reader's 'integer' keywords constrain).
        var readable = Accepted(writerTypes) & Accepted(readerTypes);
        if ((readable & (JsonTypes.Number | JsonTypes.Integer)) != 0)
        {
            CompareNumbers(reader, writer, writerValues, readable, path, reasons);
        }

        if ((readable & JsonTypes.String) != 0)
        {
            CompareStrings(reader, writer, writerValues, path, reasons);
        }

        if ((readable & JsonTypes.Array) != 0 && writerValues is null)
        {
            CompareArrays(reader, writer, path, reasons);
        }

        if ((readable & JsonTypes.Object) != 0 && writerValues is null)
        {
            CompareObjects(reader, writer, path, reasons);
        }
    }

    private static void CompareTypes(JsonTypes readerTypes, JsonTypes writerTypes, SchemaNode writer, string path, List<string> reasons)
    {
        var unreadable = writerTypes & ~Accepted(readerTypes);
        if (unreadable == JsonTypes.None)
        {
            return;
        }

        if (writerTypes == JsonTypes.All && writer.Keyword("type") is null)
        {
            reasons.Add($"{path}/type: the reader only allows {Names(readerTypes)} but the writer's schema allows any type (it has no 'type').");
        }
        else
        {
            reasons.Add($"{path}/type: the type is narrowed: the writer allows {Names(unreadable)}, the reader only {Names(readerTypes)}.");
        }
    }

    private static void CompareValues(SchemaNode reader, List<JsonElement>? writerValues, JsonTypes writerTypes, string path, List<string> reasons)
    {
        foreach (var keyword in (ReadOnlySpan<string>)["enum", "const"])
        {
            if (reader.Keyword(keyword) is not { } allowed)
            {
                continue;
            }

            var readerValues = keyword == "const" ? [allowed] : allowed.ValueKind == JsonValueKind.Array ? allowed.EnumerateArray().ToList() : [];
            if (writerValues is null)
            {
                reasons.Add($"{path}/{keyword}: the reader restricts the value to {(keyword == "const" ? "a constant" : "an enum")} but the writer allows any {Names(writerTypes)} value.");
                continue;
            }

            var missing = writerValues.Where(v => !readerValues.Any(r => JsonElement.DeepEquals(r, v))).Select(JsonCanonical.Compact).ToList();
            if (missing.Count > 0)
            {
                reasons.Add(keyword == "const"
                    ? $"{path}/const: the reader only allows {JsonCanonical.Compact(allowed)} but the writer also allows {string.Join(", ", missing)}."
                    : $"{path}/enum: the reader's enum lacks {string.Join(", ", missing)}, which the writer allows (an enum value removed).");
            }
        }
    }

    private static void CompareNumbers(SchemaNode reader, SchemaNode writer, List<JsonElement>? writerValues, JsonTypes readable, string path, List<string> reasons)
    {
        var readerLower = Bound(reader, "minimum", "exclusiveMinimum", lower: true);
        var readerUpper = Bound(reader, "maximum", "exclusiveMaximum", lower: false);
        if (writerValues is not null)
        {
            foreach (var value in writerValues.Where(v => v.ValueKind == JsonValueKind.Number))
            {
                if (readerLower is { } l && (CompareNumbers(value, l.Value) < 0 || (l.Exclusive && CompareNumbers(value, l.Value) == 0)))
                {
                    reasons.Add($"{path}/{l.Keyword}: the writer allows {value.GetRawText()}, below the reader's {l.Keyword} {l.Value.GetRawText()}.");
                }

                if (readerUpper is { } u && (CompareNumbers(value, u.Value) > 0 || (u.Exclusive && CompareNumbers(value, u.Value) == 0)))
                {
                    reasons.Add($"{path}/{u.Keyword}: the writer allows {value.GetRawText()}, above the reader's {u.Keyword} {u.Value.GetRawText()}.");
                }

                if (reader.Keyword("multipleOf") is { ValueKind: JsonValueKind.Number } m && !IsMultiple(value, m))
                {
                    reasons.Add($"{path}/multipleOf: the writer allows {value.GetRawText()}, not a multiple of the reader's {m.GetRawText()}.");
                }
            }

            return;
        }

        CompareBound(readerLower, Bound(writer, "minimum", "exclusiveMinimum", lower: true), lower: true, path, reasons);
        CompareBound(readerUpper, Bound(writer, "maximum", "exclusiveMaximum", lower: false), lower: false, path, reasons);
        if (reader.Keyword("multipleOf") is { ValueKind: JsonValueKind.Number } readerMultiple)
        {
            var integersOnly = (readable & JsonTypes.Number) == 0;
            if (writer.Keyword("multipleOf") is { ValueKind: JsonValueKind.Number } writerMultiple)
            {
                if (!IsMultiple(writerMultiple, readerMultiple))
                {
                    reasons.Add($"{path}/multipleOf: the writer's multipleOf {writerMultiple.GetRawText()} is not a multiple of the reader's {readerMultiple.GetRawText()}.");
                }
            }
            else if (!(integersOnly && IsMultiple(1m, readerMultiple)))
            {
                reasons.Add($"{path}/multipleOf: the reader adds multipleOf {readerMultiple.GetRawText()}, which the writer does not have.");
            }
        }
    }

    private static void CompareBound(NumericBound? reader, NumericBound? writer, bool lower, string path, List<string> reasons)
    {
        if (reader is not { } r)
        {
            return;
        }

        var side = lower ? "lower" : "upper";
        if (writer is not { } w)
        {
            reasons.Add($"{path}/{r.Keyword}: the reader adds {r.Keyword} {r.Value.GetRawText()}; the writer has no {side} bound.");
            return;
        }

        var comparison = CompareNumbers(r.Value, w.Value) * (lower ? 1 : -1);
        if (comparison > 0 || (comparison == 0 && r.Exclusive && !w.Exclusive))
        {
            reasons.Add($"{path}/{r.Keyword}: the {side} bound is tightened: the reader's {r.Keyword} is {r.Value.GetRawText()}, the writer's {w.Keyword} {w.Value.GetRawText()}.");
        }
    }

    private static void CompareStrings(SchemaNode reader, SchemaNode writer, List<JsonElement>? writerValues, string path, List<string> reasons)
    {
        var readerMax = Integer(reader, "maxLength");
        var readerMin = Integer(reader, "minLength");
        var readerPattern = reader.Keyword("pattern") is { ValueKind: JsonValueKind.String } p ? p.GetString() : null;
        if (writerValues is not null)
        {
            foreach (var value in writerValues.Where(v => v.ValueKind == JsonValueKind.String))
            {
                var text = value.GetString()!;
                var length = text.EnumerateRunes().Count();
                if (length > readerMax || length < readerMin)
                {
                    reasons.Add($"{path}/{(length > readerMax ? "maxLength" : "minLength")}: the writer allows {value.GetRawText()}, whose length {length} the reader does not.");
                }

                if (readerPattern is not null && !Matches(text, readerPattern))
                {
                    reasons.Add($"{path}/pattern: the writer allows {value.GetRawText()}, which does not match the reader's pattern '{readerPattern}'.");
                }
            }

            return;
        }

        var writerMax = Integer(writer, "maxLength");
        if (readerMax is not null && (writerMax is null || writerMax > readerMax))
        {
            reasons.Add(writerMax is null
                ? $"{path}/maxLength: the reader adds maxLength {readerMax}; the writer has none."
                : $"{path}/maxLength: maxLength is tightened from the writer's {writerMax} to the reader's {readerMax}.");
        }

        var writerMin = Integer(writer, "minLength") ?? 0;
        if (readerMin is not null && readerMin > writerMin)
        {
            reasons.Add($"{path}/minLength: minLength is tightened from the writer's {writerMin} to the reader's {readerMin}.");
        }

        if (readerPattern is not null)
        {
            var writerPattern = writer.Keyword("pattern") is { ValueKind: JsonValueKind.String } w ? w.GetString() : null;
            if (writerPattern != readerPattern)
            {
                reasons.Add(writerPattern is null
                    ? $"{path}/pattern: the reader adds pattern '{readerPattern}'; the writer has none."
                    : $"{path}/pattern: the pattern changed from the writer's '{writerPattern}' to the reader's '{readerPattern}' (only an unchanged pattern is known to accept the same strings).");
            }
        }
    }

    private static bool Matches(string text, string pattern)
    {
        try
        {
            return Regex.IsMatch(text, pattern, RegexOptions.None, PatternTimeout);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>The writer's possible values when it lists them (<c>enum</c>, <c>const</c>; both: the values of the enum equal to the const).</summary>
    private static List<JsonElement>? Values(SchemaNode node)
    {
        List<JsonElement>? values = null;
        if (node.Keyword("enum") is { ValueKind: JsonValueKind.Array } array)
        {
            values = array.EnumerateArray().ToList();
        }

        if (node.Keyword("const") is { } constant)
        {
            values = values is null || values.Any(v => JsonElement.DeepEquals(v, constant)) ? [constant] : [];
        }

        return values;
    }

    private static NumericBound? Bound(SchemaNode node, string inclusiveKeyword, string exclusiveKeyword, bool lower)
    {
        NumericBound? inclusive = node.Keyword(inclusiveKeyword) is { ValueKind: JsonValueKind.Number } i ? new NumericBound(i, false, inclusiveKeyword) : null;
        NumericBound? exclusive = node.Keyword(exclusiveKeyword) is { ValueKind: JsonValueKind.Number } e ? new NumericBound(e, true, exclusiveKeyword) : null;
        if (inclusive is not { } a)
        {
            return exclusive;
        }

        if (exclusive is not { } b)
        {
            return inclusive;
        }

        // The tighter of the two; at the same value the exclusive one.
        var comparison = CompareNumbers(b.Value, a.Value) * (lower ? 1 : -1);
        return comparison >= 0 ? b : a;
    }

    private static int CompareNumbers(JsonElement a, JsonElement b) =>
        a.TryGetDecimal(out var x) && b.TryGetDecimal(out var y) ? x.CompareTo(y) : a.GetDouble().CompareTo(b.GetDouble());

    private static bool IsMultiple(JsonElement value, JsonElement divisor) =>
        value.TryGetDecimal(out var v) ? IsMultiple(v, divisor) : false;

    private static bool IsMultiple(decimal value, JsonElement divisor) =>
        divisor.TryGetDecimal(out var d) && d > 0 && value % d == 0;

    private static long? Integer(SchemaNode node, string keyword) =>
        node.Keyword(keyword) is { ValueKind: JsonValueKind.Number } n && n.TryGetDecimal(out var d) ? (long)Math.Min(d, long.MaxValue) : null;

    private static JsonTypes DeclaredTypes(SchemaNode node)
    {
        switch (node.Keyword("type"))
        {
            case { ValueKind: JsonValueKind.String } single:
                return TypeNamed(single.GetString());
            case { ValueKind: JsonValueKind.Array } list:
                var types = JsonTypes.None;
                foreach (var item in list.EnumerateArray())
                {
                    types |= item.ValueKind == JsonValueKind.String ? TypeNamed(item.GetString()) : JsonTypes.None;
                }

                return types;
            default:
                return JsonTypes.All;
        }
    }

    /// <summary>The writer's declared types limited to the types of its values; an integral number value is an integer.</summary>
    private static JsonTypes Narrow(JsonTypes declared, JsonTypes valueTypes)
    {
        var narrowed = declared & valueTypes;
        if ((valueTypes & JsonTypes.Integer) != 0 && (declared & JsonTypes.Number) != 0)
        {
            narrowed |= JsonTypes.Integer;
        }

        return narrowed;
    }

    /// <summary>The types a schema of <paramref name="types"/> accepts: <c>number</c> accepts integers too.</summary>
    private static JsonTypes Accepted(JsonTypes types) =>
        (types & JsonTypes.Number) != 0 ? types | JsonTypes.Integer : types;

    private static JsonTypes TypeOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => JsonTypes.Null,
        JsonValueKind.True or JsonValueKind.False => JsonTypes.Boolean,
        JsonValueKind.Object => JsonTypes.Object,
        JsonValueKind.Array => JsonTypes.Array,
        JsonValueKind.String => JsonTypes.String,
        JsonValueKind.Number => value.TryGetDecimal(out var d) && d == decimal.Truncate(d) ? JsonTypes.Integer : JsonTypes.Number,
        _ => JsonTypes.None,
    };

    private static JsonTypes TypeNamed(string? name) => name switch
    {
        "null" => JsonTypes.Null,
        "boolean" => JsonTypes.Boolean,
        "object" => JsonTypes.Object,
        "array" => JsonTypes.Array,
        "number" => JsonTypes.Number,
        "integer" => JsonTypes.Integer,
        "string" => JsonTypes.String,
        _ => JsonTypes.None,
    };

    private static string Names(JsonTypes types)
    {
        if (types == JsonTypes.None)
        {
            return "no type";
        }

        var names = new List<string>();
        foreach (var (type, name) in TypeNames)
        {
            if ((types & type) != 0)
            {
                names.Add(name);
            }
        }

        return names.Count == 1 ? $"'{names[0]}'" : string.Join(", ", names.Select(n => $"'{n}'"));
    }

    private static readonly (JsonTypes Type, string Name)[] TypeNames =
    [
        (JsonTypes.Null, "null"), (JsonTypes.Boolean, "boolean"), (JsonTypes.Object, "object"), (JsonTypes.Array, "array"),
        (JsonTypes.Number, "number"), (JsonTypes.Integer, "integer"), (JsonTypes.String, "string"),
    ];

    /// <summary>The JSON Schema types, as a set.</summary>
    [Flags]
    private enum JsonTypes
    {
        None = 0,
        Null = 1,
        Boolean = 2,
        Object = 4,
        Array = 8,
        Number = 16,
        Integer = 32,
        String = 64,
        All = Null | Boolean | Object | Array | Number | Integer | String,
    }

    /// <summary>A lower or upper numeric limit and the keyword that sets it.</summary>
    private readonly record struct NumericBound(JsonElement Value, bool Exclusive, string Keyword);
}
