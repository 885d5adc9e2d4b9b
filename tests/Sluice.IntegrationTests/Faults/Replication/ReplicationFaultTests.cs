using Sluice.Client;
using Sluice.Core;
using Sluice.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>
/// The fault tests of issue 4 on a three-node cluster with RF 3: each drives the workload on a
/// fresh stream, provokes its fault, reads everything back and every replica from disk, and asks
/// the <see cref="HistoryChecker"/>. Fixed seeds; every wait is bounded.
/// </summary>
[Collection(ReplicationFaultCollection.Name)]
public sealed class ReplicationFaultTests(ReplicationFaultFixture cluster, ITestOutputHelper output)
{
    /// <summary>From a leader's death to its successor in the metadata: the node lease and a margin for a loaded machine.</summary>
    private static readonly TimeSpan ElectionTimeout = ReplicationFaultFixture.ControllerNodeLease + TimeSpan.FromSeconds(10);

    /// <summary>A restarted replica catching up and rejoining the ISR.</summary>
    private static readonly TimeSpan IsrTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Waiting for the workload to get a number of acknowledgements.</summary>
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(30);

    /// <summary>What the controller's takeover may take beyond its lease (the standby's lock poll on a loaded machine).</summary>
    private static readonly TimeSpan ControllerTakeoverGrace = TimeSpan.FromSeconds(2);

    // Longer than the gateway's route TTL (5 s) and the nodes' address TTL (1 s).
    private static readonly TimeSpan OutageLength = TimeSpan.FromSeconds(8);

    private const int WarmUpAcks = 200;
    private const int AcksUnderFault = 100;

    [Fact]
    public async Task Killing_the_leader_during_writes_three_times_over_loses_nothing_acknowledged()
    {
        await using var run = await ReplicationScenario.CreateAsync(cluster, output, "leader-kill", seed: 101);
        run.StartWorkload();
        await run.Workload.WaitForMoreAcksAsync(WarmUpAcks, LoadTimeout);

        for (var round = 1; round <= 3; round++)
        {
            var before = await cluster.ShardStateAsync(run.StreamId, 0);
            var leader = cluster.Node(before.LeaderNodeId!);
            var led = await run.ShardsLedByAsync(leader.Name);
            await leader.KillAsync();
            run.Mark($"round {round}: kill -9 {leader.Name}, leader of shard 0 at epoch {before.LeaderEpoch}", led);
            var after = await cluster.WaitForNewLeaderAsync(run.StreamId, 0, leader.Name, before.LeaderEpoch, ElectionTimeout);
            run.Mark($"round {round}: {after.LeaderNodeId} leads shard 0 at epoch {after.LeaderEpoch}");
            await run.Workload.WaitForMoreAcksAsync(AcksUnderFault, LoadTimeout);

            await SluiceCluster.StartAgainAsync(leader);
            await cluster.WaitForFullIsrAsync(run.StreamId, IsrTimeout);
        }

        var result = await run.FinishAsync();
        Assert.True(result.IsClean, result.Describe());
        run.AssertWritesResumedAfterEveryFault();
    }

    [Fact]
    public async Task A_killed_follower_catches_up_and_rejoins_the_isr_and_the_high_watermark_never_goes_back()
    {
        await using var run = await ReplicationScenario.CreateAsync(cluster, output, "follower-kill", seed: 202);
        var shard = await cluster.ShardStateAsync(run.StreamId, 0);
        var followerId = shard.Followers.FirstOrDefault();
        Assert.True(followerId is not null, $"shard 0 has no follower: replicas [{string.Join(",", shard.Replicas)}] (is the stream replicated?)");
        var follower = cluster.Node(followerId);
        run.StartWorkload();
        await run.Workload.WaitForMoreAcksAsync(WarmUpAcks, LoadTimeout);

        await follower.KillAsync();
        run.Mark($"kill -9 {follower.Name}, follower of shard 0");
        await run.Workload.WaitForMoreAcksAsync(AcksUnderFault * 2, LoadTimeout);
        await SluiceCluster.StartAgainAsync(follower);
        run.Mark($"{follower.Name} restarted");
        foreach (var replica in (await cluster.ShardStatesAsync(run.StreamId)).Where(s => s.Replicas.Contains(follower.Name)))
        {
            await cluster.WaitForIsrMemberAsync(run.StreamId, replica.ShardIndex, follower.Name, IsrTimeout);
        }

        run.Mark($"{follower.Name} back in the ISR of every shard it replicates");
        await run.Workload.WaitForMoreAcksAsync(AcksUnderFault, LoadTimeout);

        var result = await run.FinishAsync();
        Assert.NotEmpty(run.History!.HighWatermarkSamples);
        Assert.True(result.IsClean, result.Describe());
        run.AssertWritesResumedAfterEveryFault();
    }

    [Fact]
    public async Task A_leader_paused_past_its_lease_is_fenced_and_nothing_it_acknowledged_after_is_kept()
    {
        await using var run = await ReplicationScenario.CreateAsync(cluster, output, "paused-leader", seed: 303);
        run.StartWorkload();
        await run.Workload.WaitForMoreAcksAsync(WarmUpAcks, LoadTimeout);

        var before = await cluster.ShardStatesAsync(run.StreamId);
        var leader = cluster.Node(before.Single(s => s.ShardIndex == 0).LeaderNodeId!);
        var formerEpochs = before.Where(s => s.LeaderNodeId == leader.Name).ToDictionary(s => ShardId.Format(s.ShardIndex), s => s.LeaderEpoch);
        await leader.PauseAsync();
        run.Mark($"SIGSTOP {leader.Name}, leader of {string.Join(", ", formerEpochs.Keys)}", formerEpochs.Keys);
        TimeSpan fencedAt;
        try
        {
            // The controller only moves leadership once the paused node's lease ran out: the pause lasts longer than the lease.
            var successor = await cluster.WaitForNewLeaderAsync(run.StreamId, 0, leader.Name, formerEpochs[ShardId.Format(0)], ElectionTimeout);
            fencedAt = run.Mark($"{successor.LeaderNodeId} leads shard 0 at epoch {successor.LeaderEpoch}");

            // The late-write check below starts once every shard the paused node led has moved: until then it may
            // still rightly lead one when it wakes.
            foreach (var other in before.Where(s => s.LeaderNodeId == leader.Name && s.ShardIndex != 0))
            {
                await cluster.WaitForNewLeaderAsync(run.StreamId, other.ShardIndex, leader.Name, other.LeaderEpoch, ElectionTimeout);
            }

            fencedAt = run.Mark($"every shard {leader.Name} led has a new leader");
            await run.Workload.WaitForMoreAcksAsync(AcksUnderFault, LoadTimeout);
        }
        finally
        {
            await leader.ResumeAsync();
        }

        run.Mark($"SIGCONT {leader.Name}");
        await run.Workload.WaitForMoreAcksAsync(AcksUnderFault * 2, LoadTimeout);
        var shard0 = await cluster.ShardStateAsync(run.StreamId, 0);
        Assert.True(shard0.LeaderNodeId != leader.Name && shard0.LeaderEpoch > formerEpochs[ShardId.Format(0)],
            $"after SIGCONT, {leader.Name} must not lead shard 0 at its old epoch again: leader {shard0.LeaderNodeId} epoch {shard0.LeaderEpoch}");

        var result = await run.FinishAsync();
        Assert.True(result.IsClean, result.Describe());

        // Every write acknowledged after the fencing is stored with a newer epoch than the paused
        // leader's: nothing it accepted late (when it woke up) was acknowledged and kept.
        var lateWrites = LateWritesOfFencedLeader(run.History!, formerEpochs, fencedAt);
        Assert.True(lateWrites.Count == 0, string.Join('\n', lateWrites.Take(20)));
    }

    [Fact]
    public async Task A_rapid_double_failover_and_the_first_leader_coming_back_lose_nothing_acknowledged()
    {
        await using var run = await ReplicationScenario.CreateAsync(cluster, output, "double-failover", seed: 404);
        run.StartWorkload();
        await run.Workload.WaitForMoreAcksAsync(WarmUpAcks, LoadTimeout);

        var first = await cluster.ShardStateAsync(run.StreamId, 0);
        var firstLeader = cluster.Node(first.LeaderNodeId!);
        await firstLeader.KillAsync();
        run.Mark($"kill -9 {firstLeader.Name}, leader of shard 0", [ShardId.Format(0)]);
        var second = await cluster.WaitForNewLeaderAsync(run.StreamId, 0, firstLeader.Name, first.LeaderEpoch, ElectionTimeout);
        var secondLeader = cluster.Node(second.LeaderNodeId!);

        // At once, without waiting for the ISR to settle.
        await secondLeader.KillAsync();
        run.Mark($"kill -9 {secondLeader.Name}, the new leader of shard 0 (epoch {second.LeaderEpoch})");
        var third = await cluster.WaitForNewLeaderAsync(run.StreamId, 0, secondLeader.Name, second.LeaderEpoch, ElectionTimeout);
        run.Mark($"{third.LeaderNodeId} leads shard 0 at epoch {third.LeaderEpoch}");

        await SluiceCluster.StartAgainAsync(firstLeader);
        run.Mark($"{firstLeader.Name} revived", [ShardId.Format(0)]);
        await cluster.WaitForIsrMemberAsync(run.StreamId, 0, firstLeader.Name, IsrTimeout);
        await run.Workload.WaitForMoreAcksAsync(AcksUnderFault, LoadTimeout);
        await SluiceCluster.StartAgainAsync(secondLeader);
        await cluster.WaitForFullIsrAsync(run.StreamId, IsrTimeout);

        var result = await run.FinishAsync();
        Assert.True(result.IsClean, result.Describe());
        run.AssertWritesResumedAfterEveryFault();
    }

    [Fact]
    public async Task Killing_every_node_and_restarting_them_in_random_order_loses_nothing_acknowledged()
    {
        await using var run = await ReplicationScenario.CreateAsync(cluster, output, "kill-all", seed: 505);
        run.StartWorkload();
        await run.Workload.WaitForMoreAcksAsync(WarmUpAcks, LoadTimeout);

        var at = run.Mark("kill -9 of every storage node");
        var order = await cluster.KillAllNodesAndRestartInRandomOrderAsync(run.Random);
        output.WriteLine($"restarted in order {string.Join(", ", order)} within {(run.Workload.Elapsed - at).TotalSeconds:0.000} s");
        await cluster.WaitForLiveNodesAsync(cluster.Nodes.Count, LoadTimeout);
        await run.Workload.WaitForMoreAcksAsync(AcksUnderFault, LoadTimeout);

        // Every replica back in sync (a restarted one truncates its unacknowledged tail first), so all of them
        // must agree below the high watermark.
        await cluster.WaitForFullIsrAsync(run.StreamId, IsrTimeout);
        var result = await run.FinishAsync();
        Assert.True(result.IsClean, result.Describe());
        run.AssertWritesResumedAfterEveryFault();
    }

    [Fact]
    public async Task A_replica_restarted_with_a_torn_tail_is_truncated_and_refetched()
    {
        await using var run = await ReplicationScenario.CreateAsync(cluster, output, "torn-tail", seed: 606);
        var shard = await cluster.ShardStateAsync(run.StreamId, 0);
        var followerId = shard.Followers.FirstOrDefault();
        Assert.True(followerId is not null, $"shard 0 has no follower: replicas [{string.Join(",", shard.Replicas)}] (is the stream replicated?)");
        var follower = cluster.Node(followerId);
        run.StartWorkload();
        await run.Workload.WaitForMoreAcksAsync(WarmUpAcks, LoadTimeout);

        await follower.KillAsync();
        run.Mark($"kill -9 {follower.Name}, follower of shard 0");
        await run.Workload.WaitForMoreAcksAsync(AcksUnderFault, LoadTimeout);
        var directory = cluster.ReplicaDirectory(follower.Name, run.StreamId, 0);
        var (segment, length) = TornTail.CutLastSegment(directory, bytes: 7);
        TornTail.AppendGarbage(directory, bytes: 64, run.Random);
        output.WriteLine($"{segment}: cut mid-batch to {length} bytes, then 64 bytes of garbage appended");

        await SluiceCluster.StartAgainAsync(follower);
        run.Mark($"{follower.Name} restarted on its torn tail");
        await cluster.WaitForIsrMemberAsync(run.StreamId, 0, follower.Name, IsrTimeout);
        await run.Workload.WaitForMoreAcksAsync(AcksUnderFault, LoadTimeout);

        var result = await run.FinishAsync();
        Assert.True(result.IsClean, result.Describe());
        var replica = run.History!.Replicas.Single(r => r.ShardId == ShardId.Format(0) && r.NodeId == follower.Name);
        Assert.True(replica.InSync, $"{follower.Name} is not in the ISR of shard 0 at the end");
    }

    [Fact]
    public async Task When_the_node_running_the_controller_dies_another_takes_over_within_the_lease()
    {
        await using var run = await ReplicationScenario.CreateAsync(cluster, output, "controller-kill", seed: 707);
        run.StartWorkload();
        await run.Workload.WaitForMoreAcksAsync(WarmUpAcks, LoadTimeout);

        var controllerId = await cluster.ActiveControllerNodeAsync();
        Assert.True(controllerId is not null, "no storage node holds the controller's advisory lock (is there a controller?)");
        var controller = cluster.Node(controllerId);
        var led = await run.ShardsLedByAsync(controller.Name);
        var before = await cluster.ShardStatesAsync(run.StreamId);
        await controller.KillAsync();
        var killedAt = run.Mark($"kill -9 {controller.Name}, the active controller", led);

        string? successor = null;
        await Wait.UntilAsync(async () =>
        {
            successor = await cluster.ActiveControllerNodeAsync();
            return successor is not null && successor != controller.Name;
        }, ElectionTimeout, () => $"another node to take the controller over from {controller.Name}");
        var takeover = run.Workload.Elapsed - killedAt;
        run.Mark($"{successor} is the active controller");
        Assert.True(takeover <= ReplicationFaultFixture.ControllerNodeLease + ControllerTakeoverGrace,
            $"the controller took {takeover.TotalSeconds:0.000} s to move, more than its lease {ReplicationFaultFixture.ControllerNodeLease.TotalSeconds} s (+{ControllerTakeoverGrace.TotalSeconds} s)");

        // The new controller does its job: the dead node's leaderships move.
        foreach (var shard in before.Where(s => s.LeaderNodeId == controller.Name))
        {
            await cluster.WaitForNewLeaderAsync(run.StreamId, shard.ShardIndex, controller.Name, shard.LeaderEpoch, ElectionTimeout);
        }

        await run.Workload.WaitForMoreAcksAsync(AcksUnderFault, LoadTimeout);
        await SluiceCluster.StartAgainAsync(controller);
        await cluster.WaitForFullIsrAsync(run.StreamId, IsrTimeout);

        var result = await run.FinishAsync();
        Assert.True(result.IsClean, result.Describe());
        run.AssertWritesResumedAfterEveryFault();
    }

    [Fact]
    public async Task When_postgresql_restarts_under_load_leaders_keep_serving_without_elections()
    {
        await using var run = await ReplicationScenario.CreateAsync(cluster, output, "pg-restart", seed: 808);
        run.StartWorkload();
        await run.Workload.WaitForMoreAcksAsync(WarmUpAcks, LoadTimeout);
        var before = await cluster.ShardStatesAsync(run.StreamId);

        var epochChanges = new List<string>();
        TimeSpan cutAt;
        TimeSpan restoredAt;
        using (cluster.BeginMetadataOutage())
        {
            cutAt = run.Mark("PostgreSQL cut off (every connection dropped, new ones refused)");
            // Load runs through the outage; the epochs are watched the whole time (directly, not through the proxy).
            while (run.Workload.Elapsed - cutAt < OutageLength)
            {
                epochChanges.AddRange(EpochChanges(before, await cluster.ShardStatesAsync(run.StreamId)));
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }

            restoredAt = run.Mark("PostgreSQL back");
        }

        var servedDuringOutage = run.Workload.AcksBetween(cutAt, restoredAt);

        // Past every cache TTL (gateway routes 5 s, node addresses 1 s): still served from what was known.
        var servedLate = run.Workload.AcksBetween(cutAt + TimeSpan.FromSeconds(6), restoredAt);
        await cluster.WaitForLiveNodesAsync(cluster.Nodes.Count, LoadTimeout);
        await run.Workload.WaitForMoreAcksAsync(AcksUnderFault, LoadTimeout);

        // Give the controller a full lease and more after the return to (wrongly) elect anyone.
        var settle = run.Workload.Elapsed;
        while (run.Workload.Elapsed - settle < ReplicationFaultFixture.ControllerNodeLease * 2)
        {
            epochChanges.AddRange(EpochChanges(before, await cluster.ShardStatesAsync(run.StreamId)));
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        var result = await run.FinishAsync();
        output.WriteLine($"acknowledged during the {OutageLength.TotalSeconds} s outage: {servedDuringOutage}");
        Assert.True(epochChanges.Count == 0, "spurious elections:\n" + string.Join('\n', epochChanges.Distinct()));
        Assert.True(servedDuringOutage > 0, "leaders stopped serving while PostgreSQL was away");
        Assert.True(servedLate > 0, $"nothing acknowledged from 6 s into the outage on ({servedDuringOutage} in all): replication or routing stopped once a cache expired");
        Assert.True(result.IsClean, result.Describe());
    }

    [Fact]
    public async Task A_gateway_killed_mid_produce_with_the_client_retrying_through_another_leaves_no_duplicate()
    {
        await using var run = await ReplicationScenario.CreateAsync(cluster, output, "gateway-kill", seed: 909);
        var (gateway, _, grpc) = cluster.CreateExtraGatewayWithGrpc("gateway-doomed");
        await using var doomed = gateway;
        doomed.Start();
        await doomed.WaitHealthyAsync(LoadTimeout);
        using var viaDoomed = new SluiceClient(new SluiceClientOptions { Endpoint = grpc, Token = run.Tenant.Token });

        // The workload writes through the doomed gateway first and moves to the main one when it is gone,
        // resending the very same records: only the idempotent producer keeps them from doubling.
        run.StartWorkload(options => options with
        {
            Clients = [viaDoomed, run.Client],
            Retry = RetryValues.Same,
            SenderFactory = _ => new IdempotentProducerSender(),
        });
        await run.Workload.WaitForMoreAcksAsync(WarmUpAcks, LoadTimeout);
        await doomed.KillAsync();
        run.Mark("kill -9 of the gateway the producers write through");
        await run.Workload.WaitForMoreAcksAsync(WarmUpAcks, LoadTimeout);

        var result = await run.FinishAsync();
        Assert.True(result.IsClean, result.Describe());
        run.AssertWritesResumedAfterEveryFault();
    }

    /// <summary>Shards whose leader or leader epoch differ from <paramref name="before"/>.</summary>
    private static IEnumerable<string> EpochChanges(IReadOnlyList<ShardReplicationState> before, IReadOnlyList<ShardReplicationState> now) =>
        from b in before
        join n in now on b.ShardIndex equals n.ShardIndex
        where b.LeaderEpoch != n.LeaderEpoch || b.LeaderNodeId != n.LeaderNodeId
        select $"shard {b.ShardIndex}: {b.LeaderNodeId} epoch {b.LeaderEpoch} → {n.LeaderNodeId} epoch {n.LeaderEpoch}";

    /// <summary>
    /// Acknowledgements on the fenced leader's shards of records first sent after the fencing, whose record is stored
    /// (in any replica) with the fenced leader's epoch or older: only the fenced leader could have written them. (A
    /// record first sent before the fencing may rightly be kept in the old epoch and acknowledged later: the new leader
    /// answers its resend from the idempotent producer state, with the sequence number it was first written at.)
    /// </summary>
    private static List<string> LateWritesOfFencedLeader(History history, IReadOnlyDictionary<string, int> formerEpochs, TimeSpan fencedAt)
    {
        var late = new List<string>();
        foreach (var ack in history.Acks.Where(a => a.FirstSentAt > fencedAt && formerEpochs.ContainsKey(a.ShardId)))
        {
            if (!SequenceNumber.TryDecode(ack.SequenceNumber, out _, out var offset))
            {
                late.Add($"{ack.Value}: unreadable sequence number {ack.SequenceNumber}");
                continue;
            }

            foreach (var replica in history.Replicas.Where(r => r.ShardId == ack.ShardId))
            {
                var stored = replica.Records.FirstOrDefault(r => r.Offset == offset);
                if (stored is not null && stored.LeaderEpoch <= formerEpochs[ack.ShardId])
                {
                    late.Add($"{ack.Value} first sent at {ack.FirstSentAt.TotalSeconds:0.000} s (after the fencing at {fencedAt.TotalSeconds:0.000} s) is stored on {replica.NodeId} at offset {offset} with epoch {stored.LeaderEpoch} ≤ the fenced epoch {formerEpochs[ack.ShardId]}");
                }
            }
        }

        return late;
    }
}
