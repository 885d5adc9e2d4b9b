namespace Sluice.Schemas.Avro;

/// <summary>Which JSON shape of an Avro datum <see cref="AvroJson"/> checks.</summary>
internal enum AvroJsonMode
{
    /// <summary>
    /// A produced record's natural JSON: records are closed objects, bytes and fixed are base64, a union holds a value
    /// of any branch, and integers may be written as integral decimals (<c>1.0</c>).
    /// </summary>
    Natural,

    /// <summary>
    /// A field default as the Avro spec writes it: bytes and fixed are strings of code points 0–255, a union's default
    /// is of its first branch, integers are integer literals, and a record default's unknown properties are ignored.
    /// </summary>
    Default,
}
