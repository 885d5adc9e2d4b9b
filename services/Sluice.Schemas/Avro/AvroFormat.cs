using System.Text.Json;

namespace Sluice.Schemas.Avro;

/// <summary>
/// The Avro schema format: parses schema texts (refusing what Confluent refuses: invalid names, defaults that do not
/// match their type) and checks reader/writer compatibility by the Avro specification's resolution rules.
/// </summary>
public sealed class AvroFormat : ISchemaFormat
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = AvroLimits.MaxDepth };

    public SchemaType Type => SchemaType.Avro;

    public ParsedSchema Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        global::Avro.Schema apacheSchema;
        try
        {
            apacheSchema = global::Avro.Schema.Parse(text);
        }
        catch (Exception e)
        {
            throw new SchemaParseException($"Invalid Avro schema: {e.Message}", e);
        }

        AvroNode root;
        try
        {
            using var document = JsonDocument.Parse(text, DocumentOptions);
            root = AvroSchemaParser.Parse(document.RootElement);
        }
        catch (JsonException e)
        {
            // Apache.Avro accepts a bare type name without quotes (int); Confluent's texts are JSON.
            throw new SchemaParseException($"Invalid Avro schema: not valid JSON: {e.Message}", e);
        }
        catch (SchemaParseException e)
        {
            throw new SchemaParseException($"Invalid Avro schema: {e.Message}", e);
        }

        return new AvroSchema(text, apacheSchema, root);
    }

    public IReadOnlyList<string> CanRead(ParsedSchema reader, ParsedSchema writer)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);
        if (reader is not AvroSchema avroReader || writer is not AvroSchema avroWriter)
        {
            throw new ArgumentException($"Both schemas must be Avro schemas; got {reader.Type.ToWire()} and {writer.Type.ToWire()}.");
        }

        return AvroCompatibility.Check(avroReader.Root, avroWriter.Root);
    }
}
