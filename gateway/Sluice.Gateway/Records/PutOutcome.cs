using Sluice.Core;

namespace Sluice.Gateway.Records;

/// <summary>The per-record results of a put, in request order.</summary>
public sealed class PutOutcome(PutRecordResult[] results)
{
    public PutRecordResult[] Results { get; } = results;

    public int FailedCount { get; } = results.Count(r => !r.Succeeded);

    private Dictionary<int, SequenceNumberFormatter>? _sequenceNumbers;

    /// <summary>
    /// The sequence number of the succeeded record at <paramref name="index"/>. A shard's records
    /// take consecutive offsets in request order, so asking in request order formats each number
    /// from the previous one of its shard.
    /// </summary>
    public string SequenceNumberOf(int index)
    {
        var result = Results[index];
        if (!result.HasSequenceNumber)
        {
            // acks=none: accepted, never acknowledged.
            return string.Empty;
        }

        _sequenceNumbers ??= [];
        if (!_sequenceNumbers.TryGetValue(result.ShardIndex, out var formatter))
        {
            formatter = new SequenceNumberFormatter(result.ShardIndex);
            _sequenceNumbers.Add(result.ShardIndex, formatter);
        }

        return formatter.Format(result.Offset);
    }

    /// <summary>When records were refused by a quota: how long until every refused shard has room again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>True when every record was refused by a quota: the whole call is throttled.</summary>
    public bool AllThrottled => Results.Length > 0 && Results.All(r => r.ErrorCode == PutRecordResult.Throttled);

    /// <summary>True when nothing was written because storage was unavailable for every record: the whole call is retriable.</summary>
    public bool AllUnavailable => Results.Length > 0 && Results.All(r => r.ErrorCode == PutRecordResult.ServiceUnavailable);
}
