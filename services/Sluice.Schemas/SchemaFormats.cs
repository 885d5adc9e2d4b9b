namespace Sluice.Schemas;

/// <summary>The schema formats Sluice serves.</summary>
public static class SchemaFormats
{
    private static readonly ISchemaFormat[] Formats =
    [
        new Json.JsonSchemaFormat(),
        new Avro.AvroFormat(),
        new Protobuf.ProtobufFormat(),
    ];

    /// <summary>The format of <paramref name="type"/>.</summary>
    public static ISchemaFormat For(SchemaType type) =>
        Array.Find(Formats, f => f.Type == type) ?? throw new NotSupportedException($"Schema type {type.ToWire()} is not supported.");

    /// <summary>Parses <paramref name="text"/> as a schema of <paramref name="type"/>; throws <see cref="SchemaParseException"/> when it is not one.</summary>
    public static ParsedSchema Parse(SchemaType type, string text) => For(type).Parse(text);
}
