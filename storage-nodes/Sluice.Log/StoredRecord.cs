namespace Sluice.Log;

/// <summary>A record as read back. Key and value are slices of the read's single buffer.</summary>
public readonly record struct StoredRecord(long Offset, long TimestampMs, int LeaderEpoch, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value);
