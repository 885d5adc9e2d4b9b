namespace Sluice.Schemas;

/// <summary>A schema format, as Confluent Schema Registry names it on the wire (<see cref="SchemaTypes"/>).</summary>
public enum SchemaType
{
    Avro,
    Json,
    Protobuf,
}

/// <summary>The wire names of <see cref="SchemaType"/>: <c>AVRO</c>, <c>JSON</c>, <c>PROTOBUF</c>.</summary>
public static class SchemaTypes
{
    /// <summary>Every type, in the order <c>GET /schemas/types</c> lists them.</summary>
    public static IReadOnlyList<SchemaType> All { get; } = [SchemaType.Json, SchemaType.Protobuf, SchemaType.Avro];

    public static string ToWire(this SchemaType type) => type switch
    {
        SchemaType.Avro => "AVRO",
        SchemaType.Json => "JSON",
        SchemaType.Protobuf => "PROTOBUF",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Reads a wire name; a missing or empty one is <see cref="SchemaType.Avro"/>, as in Confluent's API. Case-sensitive, as Confluent is.</summary>
    public static bool TryParse(string? wire, out SchemaType type)
    {
        switch (wire)
        {
            case null or "" or "AVRO":
                type = SchemaType.Avro;
                return true;
            case "JSON":
                type = SchemaType.Json;
                return true;
            case "PROTOBUF":
                type = SchemaType.Protobuf;
                return true;
            default:
                type = default;
                return false;
        }
    }
}
