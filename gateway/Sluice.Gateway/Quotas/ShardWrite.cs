namespace Sluice.Gateway.Quotas;

/// <summary>What a put writes to one shard: its records and their bytes (data and partition keys, as Kinesis counts them).</summary>
public readonly record struct ShardWrite(int ShardIndex, int Records, long Bytes);
