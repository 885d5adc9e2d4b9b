using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Sluice.Gateway.Routing;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Streams;

/// <summary>
/// Drives streams through their transitions: CREATING → ACTIVE once every shard's leader has
/// prepared its log (PrepareShards), DELETING → gone once every node holding a replica has removed
/// it (DeleteShards). The gateway that took the request starts at once; every gateway's
/// <see cref="StreamLifecycleService"/> sweeps for streams left behind. Attempts are idempotent
/// and every change of status is a compare-and-set, so any number of gateways may try at once;
/// a per-stream advisory lock keeps them from doing the same storage-node calls twice.
/// </summary>
public sealed partial class StreamLifecycle(
    StreamCatalog catalog,
    NodeRegistry nodes,
    StorageClients storage,
    StreamRouter router,
    IOptions<StreamLifecycleOptions> options,
    TimeProvider timeProvider,
    ILogger<StreamLifecycle> logger) : IDisposable
{
    /// <summary>A stream that keeps failing is reported at Warning at most this often, at Debug in between.</summary>
    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly Dictionary<long, Task<TransitionResult>> _inFlight = [];
    private readonly ConcurrentDictionary<long, DateTimeOffset> _nextWarning = new();
    private readonly CancellationTokenSource _shutdown = new();

    /// <summary>Starts an attempt at the stream's transition in the background; the caller does not wait.</summary>
    public void Start(long streamId) => _ = AdvanceAsync(streamId, CancellationToken.None);

    /// <summary>
    /// One attempt at the stream's transition; callers that come while one runs share it. Never
    /// throws for a failed attempt: the result is then <see cref="TransitionResult.Unknown"/> and a
    /// later attempt (a waiting caller's, or the sweep's) tries again.
    /// </summary>
    public Task<TransitionResult> AdvanceAsync(long streamId, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource<TransitionResult> attempt;
        lock (_lock)
        {
            if (_inFlight.TryGetValue(streamId, out var running))
            {
                return running.WaitAsync(cancellationToken);
            }

            attempt = new TaskCompletionSource<TransitionResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            _inFlight[streamId] = attempt.Task;
        }

        // Not the caller's token: others may share the attempt, and a stream half-way through is
        // better finished than abandoned by a client that went away.
        _ = Task.Run(async () =>
        {
            var result = TransitionResult.Unknown;
            try
            {
                result = await AttemptAsync(streamId, _shutdown.Token);
            }
            catch (ObjectDisposedException)
            {
                // The gateway is shutting down; the sweep of a gateway still running takes over.
            }
            finally
            {
                lock (_lock)
                {
                    _inFlight.Remove(streamId);
                }

                attempt.SetResult(result);
            }
        }, CancellationToken.None);
        return attempt.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Attempts the stream's transition until it is settled (ACTIVE, or gone) or <paramref name="timeout"/>
    /// runs out, pausing <see cref="StreamLifecycleOptions.RetryDelay"/> between attempts.
    /// </summary>
    public async Task<TransitionResult> WaitAsync(long streamId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = timeProvider.GetUtcNow() + timeout;
        while (true)
        {
            var result = await AdvanceAsync(streamId, cancellationToken);
            var remaining = deadline - timeProvider.GetUtcNow();
            if (result.IsSettled || remaining <= TimeSpan.Zero)
            {
                return result;
            }

            var delay = options.Value.RetryDelay < remaining ? options.Value.RetryDelay : remaining;
            await Task.Delay(delay, timeProvider, cancellationToken);
        }
    }

    /// <summary>
    /// One sweep: an attempt at every stream of every tenant found CREATING or DELETING (at most
    /// <see cref="StreamLifecycleOptions.SweepBatchSize"/>, oldest first). Returns how many there were.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var pending = await catalog.ListTransitioningAsync(options.Value.SweepBatchSize, cancellationToken);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxConcurrentTransitions, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(pending, parallel, async (streamId, token) => await AdvanceAsync(streamId, token));
        return pending.Count;
    }

    public void Dispose()
    {
        _shutdown.Cancel();
        _shutdown.Dispose();
    }

    private async Task<TransitionResult> AttemptAsync(long streamId, CancellationToken cancellationToken)
    {
        try
        {
            await using var transitionLock = await catalog.TryLockTransitionAsync(streamId, cancellationToken);
            var stream = await catalog.FindByIdAsync(streamId, cancellationToken);
            if (stream is null)
            {
                _nextWarning.TryRemove(streamId, out _);
                return TransitionResult.Gone;
            }

            if (transitionLock is null)
            {
                // Another gateway is at it; what it achieves shows in the next read.
                return new TransitionResult(true, stream);
            }

            var result = stream.Status switch
            {
                StreamStatus.Creating => await CompleteCreationAsync(stream, cancellationToken),
                StreamStatus.Deleting => await CompleteDeletionAsync(stream, cancellationToken),
                _ => new TransitionResult(true, stream),
            };
            if (result.IsSettled)
            {
                _nextWarning.TryRemove(streamId, out _);
            }

            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return TransitionResult.Unknown;
        }
        catch (Exception ex)
        {
            ReportFailure(streamId, ex);
            return TransitionResult.Unknown;
        }
    }

    private async Task<TransitionResult> CompleteCreationAsync(StreamDefinition stream, CancellationToken cancellationToken)
    {
        var plan = StreamTransitionPlan.ForCreation(stream)
            ?? throw new InvalidOperationException($"A shard of stream {stream.Id} has no leader to prepare it.");
        var addresses = await NodeAddressesAsync(cancellationToken);
        await Task.WhenAll(plan.Select(call =>
            storage.Get(AddressOf(addresses, call.NodeId)).PrepareShardsAsync(call.Request, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync));

        if (await catalog.TryActivateAsync(stream.Id, cancellationToken))
        {
            router.Invalidate(stream.TenantId, stream.Name);
            stream.Status = StreamStatus.Active;
            LogActive(logger, stream.Id, stream.Name, stream.ShardCount);
            return new TransitionResult(true, stream);
        }

        // Its status changed meanwhile (a delete of the CREATING stream): report what it is now.
        var current = await catalog.FindByIdAsync(stream.Id, cancellationToken);
        return current is null ? TransitionResult.Gone : new TransitionResult(true, current);
    }

    private async Task<TransitionResult> CompleteDeletionAsync(StreamDefinition stream, CancellationToken cancellationToken)
    {
        var plan = StreamTransitionPlan.ForDeletion(stream);
        var addresses = await NodeAddressesAsync(cancellationToken);
        var answers = await Task.WhenAll(plan.Select(call =>
            storage.Get(AddressOf(addresses, call.NodeId)).DeleteShardsAsync(call.Request, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync));

        // The rows go only after every replica: until then a retry knows what is left to remove.
        await catalog.RemoveDeletedAsync(stream.Id, cancellationToken);
        router.Invalidate(stream.TenantId, stream.Name);
        var removed = answers.Sum(a => a.Removed);
        LogDeleted(logger, stream.Id, stream.Name, removed);
        return TransitionResult.Gone;
    }

    private async Task<Dictionary<string, string>> NodeAddressesAsync(CancellationToken cancellationToken) =>
        (await nodes.ListAsync(cancellationToken)).ToDictionary(n => n.Id, n => n.Address, StringComparer.Ordinal);

    private static string AddressOf(Dictionary<string, string> addresses, string nodeId) =>
        addresses.TryGetValue(nodeId, out var address)
            ? address
            : throw new InvalidOperationException($"Storage node {nodeId} is not registered.");

    private DateTime Deadline() => timeProvider.GetUtcNow().UtcDateTime + options.Value.NodeCallTimeout;

    private void ReportFailure(long streamId, Exception ex)
    {
        var reason = ex is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : ex.Message;
        var now = timeProvider.GetUtcNow();
        if (!_nextWarning.TryGetValue(streamId, out var next) || now >= next)
        {
            _nextWarning[streamId] = now + WarningInterval;
            LogAttemptFailed(logger, streamId, reason);
        }
        else
        {
            LogAttemptRetry(logger, streamId, reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId} ({Name}) is ACTIVE: its {ShardCount} shards are prepared")]
    private static partial void LogActive(ILogger logger, long streamId, string name, int shardCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId} ({Name}) is deleted: {Removed} replicas removed")]
    private static partial void LogDeleted(ILogger logger, long streamId, string name, int removed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId} is not through its transition yet, will retry: {Reason}")]
    private static partial void LogAttemptFailed(ILogger logger, long streamId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stream {StreamId} transition attempt failed again: {Reason}")]
    private static partial void LogAttemptRetry(ILogger logger, long streamId, string reason);
}
