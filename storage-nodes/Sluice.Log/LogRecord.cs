namespace Sluice.Log;

/// <summary>A record to append. The key is at most 65,535 bytes; either part may be empty.</summary>
public readonly record struct LogRecord(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value);
