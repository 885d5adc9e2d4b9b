using Grpc.Core;

namespace Sluice.StorageNode.Internal;

/// <summary>The internal contract's errors: a gRPC status plus a machine-readable <c>sluice-error</c> trailer.</summary>
internal static class StorageErrors
{
    public const string TrailerKey = "sluice-error";

    public static RpcException NotLeader(string shard, string? leader) =>
        Create(StatusCode.FailedPrecondition, "not-leader", $"This node does not lead {shard}; the leader is {leader ?? "unknown"}.");

    public static RpcException StaleEpoch(string shard, int requested, int current) =>
        Create(StatusCode.FailedPrecondition, "stale-epoch", $"Leader epoch {requested} for {shard} is not the current epoch {current}.");

    public static RpcException ShardClosed(string shard) =>
        Create(StatusCode.FailedPrecondition, "shard-closed", $"Shard {shard} was closed by a split or merge and takes no more records.");

    public static RpcException ShardOpen(string shard) =>
        Create(StatusCode.FailedPrecondition, "shard-open", $"Shard {shard} is not closed; only a closed shard can be sealed.");

    public static RpcException UnknownShard(string shard) =>
        Create(StatusCode.NotFound, "unknown-shard", $"Shard {shard} does not exist.");

    public static RpcException OffsetTrimmed(long offset, long logStart) =>
        Create(StatusCode.OutOfRange, "offset-trimmed", $"Offset {offset} is before the log start {logStart}: retention removed it.");

    public static RpcException OffsetBeyondEnd(long offset, long logEnd) =>
        Create(StatusCode.OutOfRange, "offset-beyond-end", $"Offset {offset} is past the log end {logEnd}.");

    public static RpcException Unavailable(string message) =>
        Create(StatusCode.Unavailable, "unavailable", message);

    public static RpcException NotEnoughReplicas(string shard, int isr, int minIsr) =>
        Create(StatusCode.Unavailable, "not-enough-replicas", $"{isr} in-sync replica(s), fewer than the minimum of {minIsr}; nothing was written.");

    public static RpcException ReplicationTimeout(string shard, long endOffset) =>
        Create(StatusCode.Unavailable, "replication-timeout", $"The records appended to {shard} (up to offset {endOffset}) were not confirmed by the in-sync replicas in time; they may or may not be committed.");

    public static RpcException NotEnoughReplicasAfterAppend(string shard, int isr, int minIsr) =>
        Create(StatusCode.Unavailable, "not-enough-replicas", $"The records appended to {shard} reached only {isr} in-sync replica(s), fewer than the minimum of {minIsr}; they may or may not be kept.");

    public static RpcException StreamNotDeleting(long streamId, string status) =>
        Create(StatusCode.FailedPrecondition, "stream-not-deleting", $"Stream {streamId} is {status}, not DELETING: its replicas are not removed.");

    public static RpcException DuplicateSequence(string shard, long producerId, int sequence, int oldestKept) =>
        Create(StatusCode.AlreadyExists, "duplicate-sequence",
            $"Sequence {sequence} of producer {producerId} is older than the oldest batch {shard} keeps for it ({oldestKept}): it may have been written already and cannot be checked, so it was not written again.");

    public static RpcException ProducerFenced(string shard, long producerId, int epoch, int current) =>
        Create(StatusCode.OutOfRange, "producer-fenced", $"Producer {producerId} at epoch {epoch} is fenced on {shard}: a newer epoch {current} has written.");

    public static RpcException InvalidArgument(string message) =>
        Create(StatusCode.InvalidArgument, "invalid-argument", message);

    /// <summary>An error as one shard's part of a multi-shard answer.</summary>
    public static Sluice.Storage.V1.ShardError ToShardError(RpcException ex) => new()
    {
        StatusCode = (int)ex.StatusCode,
        Reason = ex.Trailers.GetValue(TrailerKey) ?? string.Empty,
        Message = ex.Status.Detail,
    };

    private static RpcException Create(StatusCode code, string reason, string message) =>
        new(new Status(code, message), new Grpc.Core.Metadata { { TrailerKey, reason } });
}
