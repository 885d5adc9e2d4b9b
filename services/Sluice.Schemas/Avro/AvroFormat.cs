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
        JsonDocument document;
        try
        {
            // JSON first, so a syntax error reads as one rather than as Apache.Avro's Newtonsoft message.
            document = JsonDocument.Parse(text, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new SchemaParseException($"Invalid Avro schema: not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            // Ours first: its messages name the path; Apache.Avro then refuses what it alone checks (logical types).
            AvroNode root;
            try
            {
                root = AvroSchemaParser.Parse(document.RootElement);
            }
            catch (SchemaParseException e)
            {
                throw new SchemaParseException($"Invalid Avro schema: {e.Message}", e);
            }

            global::Avro.Schema apacheSchema;
            try
            {
                apacheSchema = global::Avro.Schema.Parse(text);
            }
            catch (Exception e)
            {
                throw new SchemaParseException($"Invalid Avro schema: {e.Message}", e);
            }

            return new AvroSchema(text, apacheSchema, root);
        }
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
