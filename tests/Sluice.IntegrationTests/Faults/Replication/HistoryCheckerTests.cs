using Sluice.Core;

namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>The checker over synthetic histories: one clean, and one per kind of violation. No cluster.</summary>
public sealed class HistoryCheckerTests
{
    private const string Shard0 = "shardId-000000000000";
    private const string Shard1 = "shardId-000000000001";

    [Fact]
    public void A_clean_history_has_no_violation()
    {
        var result = HistoryChecker.Check(CleanHistory());

        Assert.True(result.IsClean, result.Describe());
    }

    [Fact]
    public void An_unacknowledged_value_read_once_is_allowed()
    {
        var history = CleanHistory() with
        {
            Unknown = ["u-1", "u-2"],
            Reads = [.. CleanHistory().Reads, Read("u-1", 1, 2)],
        };

        Assert.True(HistoryChecker.Check(history).IsClean);
    }

    [Fact]
    public void An_acknowledged_value_that_is_not_read_is_missing()
    {
        var history = CleanHistory() with { Reads = CleanHistory().Reads.Where(r => r.Value != "a-2").ToList() };

        var violation = Assert.Single(HistoryChecker.Check(history).Violations);

        Assert.Equal(ViolationKind.AcknowledgedMissing, violation.Kind);
        Assert.Contains("a-2", violation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_acknowledged_value_read_twice_is_reported_with_both_places()
    {
        var history = CleanHistory() with { Reads = [.. CleanHistory().Reads, Read("a-1", 0, 3)] };

        var violation = Assert.Single(HistoryChecker.Check(history).Violations);

        Assert.Equal(ViolationKind.ReadTwice, violation.Kind);
        Assert.Contains(SequenceNumber.Encode(0, 0), violation.Detail, StringComparison.Ordinal);
        Assert.Contains(SequenceNumber.Encode(0, 3), violation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unacknowledged_value_read_twice_across_shards_is_reported()
    {
        var history = CleanHistory() with
        {
            Unknown = ["u-1"],
            Reads = [.. CleanHistory().Reads, Read("u-1", 0, 3), Read("u-1", 1, 2)],
        };

        var violation = Assert.Single(HistoryChecker.Check(history).Violations);

        Assert.Equal(ViolationKind.ReadTwice, violation.Kind);
        Assert.Contains("unacknowledged value u-1 read 2 times", violation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Acknowledged_values_read_out_of_their_acknowledged_order_are_reported()
    {
        // The log holds a-2 before a-1 although a-1 was acknowledged at the lower sequence number:
        // both are read at positions other than acknowledged, and out of order.
        var history = CleanHistory() with
        {
            Reads = [Read("a-2", 0, 0), Read("a-1", 0, 1), Read("a-3", 0, 2), Read("b-1", 1, 0), Read("b-2", 1, 1)],
        };

        var result = HistoryChecker.Check(history);

        var order = Assert.Single(result.OfKind(ViolationKind.OrderDiffers));
        Assert.Contains("a-1", order.Detail, StringComparison.Ordinal);
        Assert.Equal(2, result.OfKind(ViolationKind.AcknowledgedMoved).Count());
    }

    [Fact]
    public void Sequence_numbers_going_backwards_in_a_read_are_an_order_violation()
    {
        var history = CleanHistory() with
        {
            Unknown = ["u-1"],
            Reads = [Read("a-1", 0, 0), Read("a-2", 0, 1), Read("a-3", 0, 2), Read("u-1", 0, 1), Read("b-1", 1, 0), Read("b-2", 1, 1)],
        };

        var violation = Assert.Single(HistoryChecker.Check(history).Violations);

        Assert.Equal(ViolationKind.OrderDiffers, violation.Kind);
        Assert.Contains("u-1", violation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_nobody_sent_is_reported()
    {
        var history = CleanHistory() with { Reads = [.. CleanHistory().Reads, Read("ghost", 1, 2)] };

        var violation = Assert.Single(HistoryChecker.Check(history).Violations);

        Assert.Equal(ViolationKind.NeverWritten, violation.Kind);
    }

    [Fact]
    public void Replicas_holding_different_records_below_the_high_watermark_are_reported()
    {
        var clean = CleanHistory();
        var diverged = new ReplicaLog(Shard0, "node-3", InSync: false, 0, 3, [new(0, "a-1", 1), new(1, "x-9", 1), new(2, "a-3", 2)]);
        var history = clean with { Replicas = [.. clean.Replicas.Where(r => !(r.ShardId == Shard0 && r.NodeId == "node-3")), diverged] };

        var violation = Assert.Single(HistoryChecker.Check(history).Violations);

        Assert.Equal(ViolationKind.ReplicasDiffer, violation.Kind);
        Assert.Contains("offset 1", violation.Detail, StringComparison.Ordinal);
        Assert.Contains("x-9 epoch 1 on node-3", violation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Replicas_may_differ_above_the_high_watermark_but_not_in_the_leader_epoch_below_it()
    {
        var clean = CleanHistory();
        var aboveHighWatermark = new ReplicaLog(Shard1, "node-2", InSync: true, 0, 3, [new(0, "b-1", 1), new(1, "b-2", 1), new(2, "unacked", 1)]);
        var history = clean with { Replicas = [.. clean.Replicas.Where(r => !(r.ShardId == Shard1 && r.NodeId == "node-2")), aboveHighWatermark] };
        Assert.True(HistoryChecker.Check(history).IsClean);

        var otherEpoch = new ReplicaLog(Shard1, "node-2", InSync: true, 0, 2, [new(0, "b-1", 1), new(1, "b-2", 2)]);
        history = clean with { Replicas = [.. clean.Replicas.Where(r => !(r.ShardId == Shard1 && r.NodeId == "node-2")), otherEpoch] };
        var violation = Assert.Single(HistoryChecker.Check(history).Violations);
        Assert.Equal(ViolationKind.ReplicasDiffer, violation.Kind);
    }

    [Fact]
    public void An_in_sync_replica_missing_records_below_the_high_watermark_is_reported_but_a_lagging_one_is_not()
    {
        var clean = CleanHistory();
        var lagging = new ReplicaLog(Shard0, "node-3", InSync: false, 0, 1, [new(0, "a-1", 1)]);
        var history = clean with { Replicas = [.. clean.Replicas.Where(r => !(r.ShardId == Shard0 && r.NodeId == "node-3")), lagging] };
        Assert.True(HistoryChecker.Check(history).IsClean);

        var inSync = lagging with { InSync = true };
        history = clean with { Replicas = [.. clean.Replicas.Where(r => !(r.ShardId == Shard0 && r.NodeId == "node-3")), inSync] };
        var violation = Assert.Single(HistoryChecker.Check(history).Violations);
        Assert.Equal(ViolationKind.ReplicasDiffer, violation.Kind);
        Assert.Contains("lacks offsets 1..2 below the high watermark 3", violation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_high_watermark_that_goes_down_is_reported()
    {
        var history = CleanHistory() with
        {
            HighWatermarkSamples =
            [
                new(Shard0, 1, TimeSpan.FromSeconds(1)),
                new(Shard1, 5, TimeSpan.FromSeconds(1.5)),
                new(Shard0, 3, TimeSpan.FromSeconds(2)),
                new(Shard0, 2, TimeSpan.FromSeconds(3)),
                new(Shard0, 3, TimeSpan.FromSeconds(4)),
            ],
        };

        var violation = Assert.Single(HistoryChecker.Check(history).Violations);

        Assert.Equal(ViolationKind.HighWatermarkBackwards, violation.Kind);
        Assert.Contains("high watermark 2 at 3.000 s after 3 at 2.000 s", violation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_violation_of_a_bad_history_is_reported_not_just_the_first()
    {
        var history = CleanHistory() with
        {
            Reads = [Read("a-1", 0, 0), Read("a-1", 0, 1), Read("b-1", 1, 0), Read("b-2", 1, 1), Read("ghost", 1, 2)],
            HighWatermarkSamples = [new(Shard0, 3, TimeSpan.Zero), new(Shard0, 1, TimeSpan.FromSeconds(1))],
        };

        var result = HistoryChecker.Check(history);

        Assert.Equal(
            [ViolationKind.AcknowledgedMissing, ViolationKind.ReadTwice, ViolationKind.NeverWritten, ViolationKind.HighWatermarkBackwards],
            result.Violations.Select(v => v.Kind).Distinct().Order());
        Assert.Contains("violation(s)", result.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Sequence_numbers_compare_as_numbers()
    {
        Assert.True(HistoryChecker.CompareSequenceNumbers("9", "10") < 0);
        Assert.True(HistoryChecker.CompareSequenceNumbers(SequenceNumber.Encode(0, 10), SequenceNumber.Encode(0, 9)) > 0);
        Assert.Equal(0, HistoryChecker.CompareSequenceNumbers("42", "42"));
    }

    /// <summary>Two shards, three replicas each, everything acknowledged read once where it was acknowledged.</summary>
    private static History CleanHistory()
    {
        AckedRecord[] acks =
        [
            Ack("a-1", 0, 0, 1), Ack("b-1", 1, 0, 1.1), Ack("a-2", 0, 1, 1.2), Ack("a-3", 0, 2, 1.3), Ack("b-2", 1, 1, 1.4),
        ];
        ReplicaRecord[] shard0 = [new(0, "a-1", 1), new(1, "a-2", 1), new(2, "a-3", 2)];
        ReplicaRecord[] shard1 = [new(0, "b-1", 1), new(1, "b-2", 1)];
        return new History
        {
            Acks = acks,
            Reads = [Read("a-1", 0, 0), Read("a-2", 0, 1), Read("a-3", 0, 2), Read("b-1", 1, 0), Read("b-2", 1, 1)],
            Replicas =
            [
                .. new[] { "node-1", "node-2", "node-3" }.Select(n => new ReplicaLog(Shard0, n, InSync: true, 0, 3, shard0)),
                .. new[] { "node-1", "node-2", "node-3" }.Select(n => new ReplicaLog(Shard1, n, InSync: true, 0, 2, shard1)),
            ],
            HighWatermarks = new Dictionary<string, long> { [Shard0] = 3, [Shard1] = 2 },
            HighWatermarkSamples = [new(Shard0, 1, TimeSpan.FromSeconds(1)), new(Shard0, 3, TimeSpan.FromSeconds(2)), new(Shard1, 2, TimeSpan.FromSeconds(2))],
        };
    }

    private static AckedRecord Ack(string value, int shard, long offset, double seconds) =>
        new(value, ShardId.Format(shard), SequenceNumber.Encode(shard, offset), TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(seconds));

    private static ReadRecord Read(string value, int shard, long offset) => new(value, ShardId.Format(shard), SequenceNumber.Encode(shard, offset));
}
