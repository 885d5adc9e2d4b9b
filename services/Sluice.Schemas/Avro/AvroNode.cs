namespace Sluice.Schemas.Avro;

/// <summary>
/// One type of a parsed Avro schema, precompiled at parse time so that validation walks plain objects instead of the
/// Apache.Avro model. Named types are shared: a reference to a record is the same node, so recursive schemas are cycles.
/// </summary>
internal sealed class AvroNode
{
    private static readonly AvroNode[] Primitives = CreatePrimitives();

    public AvroNode(AvroKind kind)
    {
        Kind = kind;
    }

    public AvroKind Kind { get; }

    /// <summary>The full name of a record, enum or fixed; null for other types.</summary>
    public string? FullName { get; init; }

    /// <summary>The unqualified name of a named type (the full name after its last dot).</summary>
    public string? ShortName => FullName is null ? null : FullName[(FullName.LastIndexOf('.') + 1)..];

    /// <summary>The full names a named reader type also answers to.</summary>
    public string[] Aliases { get; init; } = [];

    /// <summary>A record's fields, in order; set once after the record is registered, so fields may refer to it.</summary>
    public AvroField[] Fields { get; set; } = [];

    public string[] Symbols { get; init; } = [];

    /// <summary>The symbol an enum reader uses for a writer symbol it does not know; null when it has none.</summary>
    public string? EnumDefault { get; init; }

    /// <summary>A fixed type's size in bytes.</summary>
    public int Size { get; init; }

    /// <summary>An array's items or a map's values.</summary>
    public AvroNode? Items { get; init; }

    public AvroNode[] Branches { get; init; } = [];

    public string? LogicalType { get; init; }

    /// <summary>A decimal's precision and scale, when its logical type is decimal.</summary>
    public int? Precision { get; init; }

    public int? Scale { get; init; }

    /// <summary>The fewest bytes an instance takes in binary: bounds block counts by the bytes left.</summary>
    public int MinSize { get; set; }

    /// <summary>The Avro name of the type: the full name of a named type, else the type keyword.</summary>
    public string DisplayName => FullName ?? KindName(Kind);

    /// <summary>The shared node of an unannotated primitive type.</summary>
    public static AvroNode Primitive(AvroKind kind) => Primitives[(int)kind];

    public static string KindName(AvroKind kind) => kind switch
    {
        AvroKind.Null => "null",
        AvroKind.Boolean => "boolean",
        AvroKind.Int => "int",
        AvroKind.Long => "long",
        AvroKind.Float => "float",
        AvroKind.Double => "double",
        AvroKind.Bytes => "bytes",
        AvroKind.String => "string",
        AvroKind.Record => "record",
        AvroKind.Enum => "enum",
        AvroKind.Array => "array",
        AvroKind.Map => "map",
        AvroKind.Union => "union",
        AvroKind.Fixed => "fixed",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The primitive kind a type keyword names, or null when it names no primitive.</summary>
    public static AvroKind? PrimitiveKind(string name) => name switch
    {
        "null" => AvroKind.Null,
        "boolean" => AvroKind.Boolean,
        "int" => AvroKind.Int,
        "long" => AvroKind.Long,
        "float" => AvroKind.Float,
        "double" => AvroKind.Double,
        "bytes" => AvroKind.Bytes,
        "string" => AvroKind.String,
        _ => null,
    };

    /// <summary>How messages describe the type: <c>int</c>, <c>record 'com.acme.User'</c>, <c>union [null, string]</c>.</summary>
    public string Describe()
    {
        if (FullName is not null)
        {
            return $"{KindName(Kind)} '{FullName}'";
        }

        if (Kind == AvroKind.Union)
        {
            return $"union [{string.Join(", ", Branches.Select(b => b.DisplayName))}]";
        }

        return KindName(Kind);
    }

    private static AvroNode[] CreatePrimitives()
    {
        var nodes = new AvroNode[(int)AvroKind.Fixed + 1];
        foreach (var kind in new[] { AvroKind.Null, AvroKind.Boolean, AvroKind.Int, AvroKind.Long, AvroKind.Float, AvroKind.Double, AvroKind.Bytes, AvroKind.String })
        {
            nodes[(int)kind] = new AvroNode(kind) { MinSize = MinSizeOf(kind) };
        }

        return nodes;
    }

    /// <summary>The minimum binary size of a primitive: null takes nothing, floats and doubles are fixed width, varints at least one byte.</summary>
    public static int MinSizeOf(AvroKind kind) => kind switch
    {
        AvroKind.Null => 0,
        AvroKind.Float => 4,
        AvroKind.Double => 8,
        _ => 1,
    };
}
