namespace Sluice.Schemas;

/// <summary>One schema format: parses its schema texts and decides whether data written with one schema can be read with another.</summary>
public interface ISchemaFormat
{
    SchemaType Type { get; }

    /// <summary>Parses and validates a schema text. Throws <see cref="SchemaParseException"/>, with the reason, when it is not a valid schema.</summary>
    ParsedSchema Parse(string text);

    /// <summary>
    /// The reasons a consumer using <paramref name="reader"/> cannot read every record written with <paramref name="writer"/>;
    /// empty when it can. Both schemas are of this format. Each reason is one sentence naming the path
    /// (<c>field 'age' (at /fields/2) has no default and is missing from the writer's schema</c>).
    /// </summary>
    IReadOnlyList<string> CanRead(ParsedSchema reader, ParsedSchema writer);
}
