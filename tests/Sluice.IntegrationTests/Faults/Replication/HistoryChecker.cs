namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>
/// A Jepsen-style checker of a replicated log's history. Pure: it reads a <see cref="History"/> and
/// reports every violation it finds (never throws on one), so a failing test shows all that went
/// wrong at once, not just the first thing.
/// </summary>
/// <remarks>
/// The rules, from issue 4: every acknowledged value is read, exactly where it was acknowledged; no
/// value is read twice (an unacknowledged one — a put that failed or timed out — may be in the log
/// once or not at all); within a shard, values are read in the order of their sequence numbers;
/// replicas are identical below the high watermark; the high watermark never goes down.
/// </remarks>
public static class HistoryChecker
{
    /// <summary>Per shard, how many single offsets where replicas differ are reported one by one before the rest is counted.</summary>
    public const int ReportedOffsetsPerShard = 10;

    public static CheckResult Check(History history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var violations = new List<Violation>();
        CheckReads(history, violations);
        CheckReplicas(history, violations);
        CheckHighWatermarkSamples(history, violations);
        return new CheckResult(violations);
    }

    /// <summary>Numeric order of two sequence numbers (decimal strings, possibly of different lengths).</summary>
    public static int CompareSequenceNumbers(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var byLength = a.Length.CompareTo(b.Length);
        return byLength != 0 ? byLength : string.CompareOrdinal(a, b);
    }

    private static void CheckReads(History history, List<Violation> violations)
    {
        var acked = new Dictionary<string, AckedRecord>(StringComparer.Ordinal);
        foreach (var ack in history.Acks)
        {
            // A value acknowledged twice was written twice: the read shows it twice, and that is reported there.
            acked.TryAdd(ack.Value, ack);
        }

        var unknown = history.Unknown as IReadOnlySet<string> ?? new HashSet<string>(history.Unknown, StringComparer.Ordinal);
        var readAt = new Dictionary<string, List<ReadRecord>>(StringComparer.Ordinal);
        foreach (var read in history.Reads)
        {
            if (!readAt.TryGetValue(read.Value, out var places))
            {
                readAt[read.Value] = places = [];
            }

            places.Add(read);
        }

        foreach (var (value, places) in readAt)
        {
            if (places.Count > 1)
            {
                var status = acked.ContainsKey(value) ? "acknowledged" : unknown.Contains(value) ? "unacknowledged" : "never sent";
                violations.Add(new Violation(ViolationKind.ReadTwice,
                    $"{status} value {value} read {places.Count} times: {string.Join(", ", places.Select(p => $"{p.ShardId}@{p.SequenceNumber}"))}"));
            }

            if (!acked.ContainsKey(value) && !unknown.Contains(value))
            {
                violations.Add(new Violation(ViolationKind.NeverWritten, $"value {value} read at {places[0].ShardId}@{places[0].SequenceNumber} was never sent"));
            }
        }

        foreach (var ack in acked.Values)
        {
            if (!readAt.TryGetValue(ack.Value, out var places))
            {
                violations.Add(new Violation(ViolationKind.AcknowledgedMissing,
                    $"value {ack.Value} acknowledged at {ack.ShardId}@{ack.SequenceNumber} ({ack.AckedAt.TotalSeconds:0.000} s) was not read"));
            }
            else if (!places.Any(p => p.ShardId == ack.ShardId && p.SequenceNumber == ack.SequenceNumber))
            {
                violations.Add(new Violation(ViolationKind.AcknowledgedMoved,
                    $"value {ack.Value} acknowledged at {ack.ShardId}@{ack.SequenceNumber} was read at {string.Join(", ", places.Select(p => $"{p.ShardId}@{p.SequenceNumber}"))}"));
            }
        }

        foreach (var shard in history.Reads.GroupBy(r => r.ShardId))
        {
            CheckShardOrder(shard.Key, shard.ToList(), acked, violations);
        }
    }

    private static void CheckShardOrder(string shardId, List<ReadRecord> reads, Dictionary<string, AckedRecord> acked, List<Violation> violations)
    {
        // Sequence numbers as read must strictly increase: a consumer never sees a position twice or going back.
        for (var i = 1; i < reads.Count; i++)
        {
            if (CompareSequenceNumbers(reads[i - 1].SequenceNumber, reads[i].SequenceNumber) >= 0)
            {
                violations.Add(new Violation(ViolationKind.OrderDiffers,
                    $"{shardId}: read {reads[i].Value}@{reads[i].SequenceNumber} after {reads[i - 1].Value}@{reads[i - 1].SequenceNumber}"));
            }
        }

        // Acknowledged values, taken in read order, must carry increasing acknowledged sequence numbers.
        // A value read again is a ReadTwice, not also an order violation against itself.
        AckedRecord? previous = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var read in reads)
        {
            if (!seen.Add(read.Value) || !acked.TryGetValue(read.Value, out var ack) || ack.ShardId != shardId)
            {
                continue;
            }

            if (previous is not null && CompareSequenceNumbers(previous.SequenceNumber, ack.SequenceNumber) >= 0)
            {
                violations.Add(new Violation(ViolationKind.OrderDiffers,
                    $"{shardId}: {ack.Value} (acknowledged @{ack.SequenceNumber}) was read after {previous.Value} (acknowledged @{previous.SequenceNumber})"));
            }

            previous = ack;
        }
    }

    private static void CheckReplicas(History history, List<Violation> violations)
    {
        foreach (var shard in history.Replicas.GroupBy(r => r.ShardId))
        {
            if (!history.HighWatermarks.TryGetValue(shard.Key, out var highWatermark))
            {
                violations.Add(new Violation(ViolationKind.ReplicasDiffer, $"{shard.Key}: replicas were read but no high watermark is known to compare them below"));
                continue;
            }

            var replicas = shard.Select(r => (Log: r, ByOffset: r.Records.Where(x => x.Offset < highWatermark).ToDictionary(x => x.Offset))).ToList();
            foreach (var (log, byOffset) in replicas.Where(r => r.Log.InSync))
            {
                var missing = MissingRanges(byOffset, log.LogStartOffset, highWatermark);
                if (missing.Count > 0)
                {
                    violations.Add(new Violation(ViolationKind.ReplicasDiffer,
                        $"{shard.Key}: in-sync replica on {log.NodeId} (log {log.LogStartOffset}..{log.LogEndOffset}) lacks offsets {string.Join(", ", missing)} below the high watermark {highWatermark}"));
                }
            }

            var differing = 0;
            var offsets = replicas.SelectMany(r => r.ByOffset.Keys).Distinct().Order();
            foreach (var offset in offsets)
            {
                var held = replicas.Where(r => r.ByOffset.ContainsKey(offset)).Select(r => (r.Log.NodeId, Record: r.ByOffset[offset])).ToList();
                if (held.Select(h => (h.Record.Value, h.Record.LeaderEpoch)).Distinct().Count() <= 1)
                {
                    continue;
                }

                if (++differing <= ReportedOffsetsPerShard)
                {
                    violations.Add(new Violation(ViolationKind.ReplicasDiffer,
                        $"{shard.Key}: offset {offset} (below the high watermark {highWatermark}) holds {string.Join(", ", held.Select(h => $"{h.Record.Value} epoch {h.Record.LeaderEpoch} on {h.NodeId}"))}"));
                }
            }

            if (differing > ReportedOffsetsPerShard)
            {
                violations.Add(new Violation(ViolationKind.ReplicasDiffer, $"{shard.Key}: {differing - ReportedOffsetsPerShard} more offsets below the high watermark differ between replicas"));
            }
        }
    }

    /// <summary>The ranges of [start, end) that a replica does not hold, as "a..b" (inclusive).</summary>
    private static List<string> MissingRanges(Dictionary<long, ReplicaRecord> byOffset, long start, long end)
    {
        var ranges = new List<string>();
        long? from = null;
        for (var offset = start; offset <= end; offset++)
        {
            var absent = offset < end && !byOffset.ContainsKey(offset);
            if (absent)
            {
                from ??= offset;
            }
            else if (from is { } first)
            {
                ranges.Add(first == offset - 1 ? $"{first}" : $"{first}..{offset - 1}");
                from = null;
            }
        }

        return ranges;
    }

    private static void CheckHighWatermarkSamples(History history, List<Violation> violations)
    {
        var highest = new Dictionary<string, HighWatermarkSample>(StringComparer.Ordinal);
        foreach (var sample in history.HighWatermarkSamples)
        {
            if (highest.TryGetValue(sample.ShardId, out var top) && sample.HighWatermark < top.HighWatermark)
            {
                violations.Add(new Violation(ViolationKind.HighWatermarkBackwards,
                    $"{sample.ShardId}: high watermark {sample.HighWatermark} at {sample.At.TotalSeconds:0.000} s after {top.HighWatermark} at {top.At.TotalSeconds:0.000} s"));
                continue;
            }

            highest[sample.ShardId] = sample;
        }
    }
}
