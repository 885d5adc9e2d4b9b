namespace Sluice.Metadata;

/// <summary>A shard's leader or ISR changed (announced on the <c>sluice_shards</c> channel); the epochs are the new ones.</summary>
public readonly record struct ShardChange(long StreamId, int ShardIndex, int LeaderEpoch, int PartitionEpoch)
{
    /// <summary>The NOTIFY payload: <c>streamId/shardIndex/leaderEpoch/partitionEpoch</c>.</summary>
    public string ToPayload() => FormattableString.Invariant($"{StreamId}/{ShardIndex}/{LeaderEpoch}/{PartitionEpoch}");

    /// <summary>Parses a NOTIFY payload; false when it is not one.</summary>
    public static bool TryParse(string payload, out ShardChange change)
    {
        change = default;
        var parts = payload.Split('/');
        if (parts.Length != 4
            || !long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var streamId)
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var shardIndex)
            || !int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var leaderEpoch)
            || !int.TryParse(parts[3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var partitionEpoch))
        {
            return false;
        }

        change = new ShardChange(streamId, shardIndex, leaderEpoch, partitionEpoch);
        return true;
    }
}
