namespace Sluice.Schemas;

/// <summary>A schema text is not a valid schema of its format; the message says why (Confluent answers it as 42201).</summary>
public sealed class SchemaParseException : Exception
{
    public SchemaParseException(string message)
        : base(message)
    {
    }

    public SchemaParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
