namespace Sluice.Gateway.Kinesis.EventStream;

/// <summary>
/// A decoded event-stream message: its headers (string values as strings, the other types as
/// their .NET values: bool, sbyte, short, int, long, byte[], DateTimeOffset, Guid) and payload.
/// </summary>
internal sealed record EventStreamMessage(IReadOnlyDictionary<string, object> Headers, byte[] Payload)
{
    /// <summary>A string header, or null when it is missing or not a string.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value as string : null;
}
