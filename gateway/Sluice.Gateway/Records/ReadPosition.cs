namespace Sluice.Gateway.Records;

/// <summary>A read's start: a kind plus the sequence number or timestamp it needs.</summary>
public readonly record struct ReadPosition(ReadFrom From, string? SequenceNumber = null, DateTimeOffset? Timestamp = null);
