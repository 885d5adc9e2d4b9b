using Sluice.Storage.V1;

namespace Sluice.Gateway.Records;

/// <summary>Records read from one shard and where to continue.</summary>
public sealed record ReadOutcome(int ShardIndex, IReadOnlyList<StoredRecord> Records, long NextOffset, long MillisBehindLatest)
{
    public string NextSequenceNumber => Core.SequenceNumber.Encode(ShardIndex, NextOffset);
}
