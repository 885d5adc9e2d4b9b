using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Sluice.Controller.Internal;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Controller;

/// <summary>
/// The controller. Of all instances (one in every storage node, and the standalone host) exactly
/// one is active: the one whose dedicated connection holds the session advisory lock
/// <see cref="ControllerStatus.AdvisoryLockKey"/>; the others retry every
/// <see cref="ControllerOptions.LockRetryInterval"/>. The active one checks its connection every
/// tick and on any failure stops acting and goes back to standby. Each tick it reads the storage
/// nodes and every shard, judges liveness from its own observations
/// (<see cref="NodeObservations"/>), and applies what <see cref="ElectionRules"/> decides through
/// <see cref="PartitionStateStore"/> (compare-and-set and NOTIFY); a change whose compare-and-set
/// fails is decided again on the next tick. Shards the election rules left alone then move their
/// reassignments on as <see cref="ReassignmentRules"/> decides.
/// </summary>
public sealed partial class ControllerService(
    IOptions<ControllerOptions> options,
    IDbContextFactory<MetadataDbContext> contexts,
    PartitionStateStore partitions,
    TimeProvider timeProvider,
    ILogger<ControllerService> logger) : BackgroundService
{
    // The lock connection's own timeouts (seconds): a vanished server must fail the tick's check
    // quickly, so that this controller stops acting soon after PostgreSQL drops its lock.
    private const int LockConnectionTimeoutSeconds = 5;
    private const int LockConnectionKeepAliveSeconds = 2;

    private readonly ControllerOptions _options = options.Value;
    private volatile bool _active;

    /// <summary>This controller's id.</summary>
    public string Id { get; } = options.Value.ResolveId();

    /// <summary>True while this instance holds the lock and acts.</summary>
    public bool IsActive => _active;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            LogDisabled(logger);
            return;
        }

        await Task.Yield();
        LogStandby(logger, Id);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await TryAcquireAsync(stoppingToken);
                if (connection is not null)
                {
                    _active = true;
                    LogActive(logger, Id);
                    await ActAsync(connection, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (_active)
                {
                    LogNoLongerActive(logger, Id, ex.Message);
                }
                else
                {
                    LogAcquireFailed(logger, ex.Message);
                }
            }
            finally
            {
                _active = false;
            }

            try
            {
                await Task.Delay(_options.LockRetryInterval, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>An open connection holding the lock, or null when another controller holds it.</summary>
    private async Task<NpgsqlConnection?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        string connectionString;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            connectionString = db.Database.GetConnectionString() ?? throw new InvalidOperationException("The metadata store has no connection string.");
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // Its own session for life: a pooled connection would be reset, releasing the lock.
            Pooling = false,
            ApplicationName = ControllerStatus.ApplicationNamePrefix + Id,
            Timeout = LockConnectionTimeoutSeconds,
            CommandTimeout = LockConnectionTimeoutSeconds,
            KeepAlive = LockConnectionKeepAliveSeconds,
        };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);

            // The lock must not outlive a controller that stops acting: a paused (SIGSTOP) or hung process keeps
            // its TCP session open, so PostgreSQL itself ends a session idle for longer than the node lease (the
            // active controller runs a statement every tick), which releases the lock to a standby.
            await using (var timeout = new NpgsqlCommand($"SET idle_session_timeout = {(long)Math.Max(_options.NodeLease.TotalMilliseconds, 1000)}", connection))
            {
                await timeout.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", ControllerStatus.AdvisoryLockKey);
            if (await command.ExecuteScalarAsync(cancellationToken) is true)
            {
                return connection;
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    private async Task ActAsync(NpgsqlConnection lockConnection, CancellationToken cancellationToken)
    {
        // A new observation window on every activation: silence before it counts against nobody.
        var observations = new NodeObservations(_options.NodeLease, timeProvider.GetUtcNow());
        using var timer = new PeriodicTimer(_options.TickInterval, timeProvider);
        do
        {
            await using (var check = new NpgsqlCommand("SELECT 1", lockConnection))
            {
                await check.ExecuteScalarAsync(cancellationToken);
            }

            await TickAsync(observations, cancellationToken);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private async Task TickAsync(NodeObservations observations, CancellationToken cancellationToken)
    {
        List<NodeSnapshot> nodes;
        List<PartitionView> shards;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var nodeRows = await db.StorageNodes.AsNoTracking()
                .Select(n => new { n.Id, n.NodeEpoch, n.HeartbeatAt })
                .ToListAsync(cancellationToken);
            nodes = [.. nodeRows.Select(n => new NodeSnapshot(n.Id, n.NodeEpoch, n.HeartbeatAt))];

            // Streams being deleted are left alone: their shards are going away.
            var shardRows = await db.Shards.AsNoTracking()
                .Where(s => s.Stream!.Status != StreamStatus.Deleting)
                .Select(s => new { s.StreamId, s.ShardIndex, s.LeaderNodeId, s.LeaderEpoch, s.PartitionEpoch, s.Replicas, s.Isr, s.IsrNodeEpochs, s.TargetReplicas, s.Stream!.MinInSyncReplicas })
                .ToListAsync(cancellationToken);
            shards = [.. shardRows.Select(s => new PartitionView(
                s.StreamId, s.ShardIndex, s.LeaderNodeId, s.LeaderEpoch, s.PartitionEpoch, s.Replicas, PartitionView.Pair(s.Isr, s.IsrNodeEpochs), s.TargetReplicas, s.MinInSyncReplicas))];
        }

        var now = timeProvider.GetUtcNow();
        observations.Observe(nodes, now);
        if (!observations.CanJudge(now))
        {
            return;
        }

        var live = observations.LiveNodes(now);
        var changed = new HashSet<(long, int)>();
        foreach (var change in ElectionRules.Decide(nodes, live, shards))
        {
            changed.Add((change.Shard.StreamId, change.Shard.ShardIndex));
            await ApplyAsync(change, cancellationToken);
        }

        // Reassignments only move on from a settled state: a shard the election rules just changed is looked at
        // again next tick, from what that change left.
        var settled = shards.Where(s => s.TargetReplicas is not null && !changed.Contains((s.StreamId, s.ShardIndex))).ToList();
        foreach (var step in ReassignmentRules.Decide(nodes, live, settled))
        {
            await ApplyAsync(step, cancellationToken);
        }
    }

    private async Task ApplyAsync(ReassignmentStep step, CancellationToken cancellationToken)
    {
        var shard = step.Shard;
        var result = step.Kind == ReassignmentStepKind.MoveLeader
            ? await partitions.TryElectLeaderAsync(shard.StreamId, shard.ShardIndex, shard.Leader, shard.LeaderEpoch, shard.PartitionEpoch, step.NewLeader, step.NewIsr, cancellationToken)
            : await partitions.TryCompleteReassignmentAsync(shard.StreamId, shard.ShardIndex, shard.Leader!, shard.LeaderEpoch, shard.PartitionEpoch, step.NewReplicas, step.NewIsr, cancellationToken);
        if (result is null)
        {
            LogReassignmentCasFailed(logger, shard.StreamId, shard.ShardIndex, step.Kind, shard.LeaderEpoch, shard.PartitionEpoch);
            return;
        }

        if (step.Kind == ReassignmentStepKind.MoveLeader)
        {
            LogLeaderMoved(logger, shard.StreamId, shard.ShardIndex, shard.Leader, result.LeaderNodeId, result.LeaderEpoch, step.Reason);
        }
        else
        {
            var previousReplicas = string.Join(",", shard.Replicas);
            var replicas = string.Join(",", result.Replicas);
            var isr = string.Join(",", result.Isr);
            LogReassigned(logger, shard.StreamId, shard.ShardIndex, previousReplicas, replicas, isr, result.PartitionEpoch, step.Reason);
        }
    }

    private async Task ApplyAsync(PartitionChange change, CancellationToken cancellationToken)
    {
        var shard = change.Shard;
        var result = change.Kind == ChangeKind.ShrinkIsr
            ? await partitions.TryChangeIsrAsync(shard.StreamId, shard.ShardIndex, shard.Leader!, shard.LeaderEpoch, shard.PartitionEpoch, change.NewIsr, cancellationToken)
            : await partitions.TryElectLeaderAsync(shard.StreamId, shard.ShardIndex, shard.Leader, shard.LeaderEpoch, shard.PartitionEpoch, change.NewLeader, change.NewIsr, cancellationToken);
        if (result is null)
        {
            LogCasFailed(logger, shard.StreamId, shard.ShardIndex, change.Kind, shard.LeaderEpoch, shard.PartitionEpoch);
            return;
        }

        var isr = string.Join(",", result.Isr);
        var previousIsr = string.Join(",", shard.Isr.Select(m => m.NodeId));
        switch (change.Kind)
        {
            case ChangeKind.ShrinkIsr:
                LogIsrShrunk(logger, shard.StreamId, shard.ShardIndex, result.LeaderNodeId, previousIsr, isr, result.PartitionEpoch, change.Reason);
                break;
            case ChangeKind.Offline:
                LogOffline(logger, shard.StreamId, shard.ShardIndex, shard.Leader, result.LeaderEpoch, isr, change.Reason);
                break;
            default:
                LogElected(logger, shard.StreamId, shard.ShardIndex, result.LeaderNodeId, shard.Leader, result.LeaderEpoch, result.PartitionEpoch, isr,
                    change.Kind == ChangeKind.ElectRestarted, change.Reason);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {StreamId}/{ShardIndex}: reassignment step {Kind} not applied, its partition state changed since leader epoch {LeaderEpoch}, partition epoch {PartitionEpoch}; deciding again")]
    private static partial void LogReassignmentCasFailed(ILogger logger, long streamId, int shardIndex, ReassignmentStepKind kind, int leaderEpoch, int partitionEpoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {StreamId}/{ShardIndex}: reassignment moved leadership from {PreviousLeader} to {Leader} at leader epoch {LeaderEpoch}; {Reason}")]
    private static partial void LogLeaderMoved(ILogger logger, long streamId, int shardIndex, string? previousLeader, string? leader, int leaderEpoch, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {StreamId}/{ShardIndex}: reassignment complete, replicas [{PreviousReplicas}] -> [{Replicas}], ISR [{Isr}] at partition epoch {PartitionEpoch}; {Reason}")]
    private static partial void LogReassigned(ILogger logger, long streamId, int shardIndex, string previousReplicas, string replicas, string isr, int partitionEpoch, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Controller disabled (Sluice:Controller:Enabled=false)")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Controller {ControllerId} standing by")]
    private static partial void LogStandby(ILogger logger, string controllerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Controller {ControllerId} is active")]
    private static partial void LogActive(ILogger logger, string controllerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Controller {ControllerId} is no longer active: {Reason}")]
    private static partial void LogNoLongerActive(ILogger logger, string controllerId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not try the controller lock: {Reason}")]
    private static partial void LogAcquireFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {StreamId}/{ShardIndex}: {Kind} not applied, its partition state changed since leader epoch {LeaderEpoch}, partition epoch {PartitionEpoch}; deciding again")]
    private static partial void LogCasFailed(ILogger logger, long streamId, int shardIndex, ChangeKind kind, int leaderEpoch, int partitionEpoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {StreamId}/{ShardIndex}: elected leader {Leader} (was {PreviousLeader}) at leader epoch {LeaderEpoch}, partition epoch {PartitionEpoch}, ISR [{Isr}], restarted replica: {Restarted}; {Reason}")]
    private static partial void LogElected(ILogger logger, long streamId, int shardIndex, string? leader, string? previousLeader, int leaderEpoch, int partitionEpoch, string isr, bool restarted, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shard {StreamId}/{ShardIndex} offline: no live in-sync replica (was led by {PreviousLeader}); leader epoch {LeaderEpoch}, ISR kept [{Isr}]; {Reason}")]
    private static partial void LogOffline(ILogger logger, long streamId, int shardIndex, string? previousLeader, int leaderEpoch, string isr, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {StreamId}/{ShardIndex}: ISR of leader {Leader} shrunk from [{PreviousIsr}] to [{Isr}] at partition epoch {PartitionEpoch}; {Reason}")]
    private static partial void LogIsrShrunk(ILogger logger, long streamId, int shardIndex, string? leader, string previousIsr, string isr, int partitionEpoch, string reason);
}
