namespace Sluice.Schemas.Avro;

/// <summary>The Avro types a schema node can be; logical types are their underlying type plus a <see cref="AvroNode.LogicalType"/>.</summary>
internal enum AvroKind
{
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Record,
    Enum,
    Array,
    Map,
    Union,
    Fixed,
}
