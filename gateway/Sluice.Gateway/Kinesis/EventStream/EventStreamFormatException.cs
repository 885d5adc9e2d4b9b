namespace Sluice.Gateway.Kinesis.EventStream;

/// <summary>Bytes that are not a well-formed event-stream message: a bad length, a CRC mismatch, a truncated header.</summary>
public sealed class EventStreamFormatException(string message) : Exception(message)
{
}
