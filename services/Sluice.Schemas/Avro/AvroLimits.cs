namespace Sluice.Schemas.Avro;

/// <summary>
/// Bounds on what one record may make the validators do: hostile payloads of a recursive schema could otherwise nest
/// until the stack overflows, and arrays of zero-width items (nulls) could claim billions of items in a few bytes.
/// </summary>
internal static class AvroLimits
{
    /// <summary>How deep records, arrays and maps may nest in one datum (binary or JSON).</summary>
    public const int MaxDepth = 256;

    /// <summary>How many zero-width items (null, empty records) one payload may claim in all its arrays and maps together.</summary>
    public const long MaxZeroWidthItems = 65_536;
}
