using System.Globalization;
using Sluice.Core;

namespace Sluice.Gateway.Kinesis.Consumers;

/// <summary>
/// SubscribeToShardEvent's ContinuationSequenceNumber: where a subscription has got to, such that
/// SubscribeToShard with AFTER_SEQUENCE_NUMBER and it resumes exactly there (the KCL reconnects
/// so), and AT_SEQUENCE_NUMBER at most repeats the last record. It is the sequence number of the
/// last record before the position, even when that record was delivered by an earlier event.
/// </summary>
/// <remarks>
/// A shard that never held a record has no such record. Its position is then a shard-start
/// number: 10^36 plus the shard index, 37 digits like every sequence number and below all of them,
/// which AT and AFTER_SEQUENCE_NUMBER both read from the shard's first record. (The shard's
/// StartingSequenceNumber cannot serve: it is its first record's own number.)
/// </remarks>
internal static class ContinuationSequenceNumber
{
    private static readonly UInt128 ShardStartBase = UInt128.Parse("1000000000000000000000000000000000000", CultureInfo.InvariantCulture);
    private const int Digits = 37;

    /// <summary>The continuation number of a subscription whose next record is at <paramref name="nextOffset"/>.</summary>
    public static string Of(int shardIndex, long nextOffset) =>
        nextOffset > 0
            ? SequenceNumber.Encode(shardIndex, nextOffset - 1)
            : (ShardStartBase + (uint)shardIndex).ToString(CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="text"/> is the shard-start number of a shard.</summary>
    public static bool TryDecodeShardStart(string? text, out int shardIndex)
    {
        shardIndex = -1;
        if (text is not { Length: Digits }
            || !UInt128.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || value < ShardStartBase
            || value - ShardStartBase > int.MaxValue)
        {
            return false;
        }

        shardIndex = (int)(value - ShardStartBase);
        return true;
    }
}
