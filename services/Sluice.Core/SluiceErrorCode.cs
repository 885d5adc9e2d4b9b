namespace Sluice.Core;

/// <summary>What went wrong, independent of the face a client came in by; each face maps it to its protocol.</summary>
public enum SluiceErrorCode
{
    /// <summary>Bad input; the message names the rule.</summary>
    InvalidArgument,

    /// <summary>The stream or shard does not exist (or belongs to another tenant).</summary>
    NotFound,

    /// <summary>A stream with that name exists.</summary>
    AlreadyExists,

    /// <summary>The position fell off the log through retention.</summary>
    PositionTrimmed,

    /// <summary>A storage node or the metadata store cannot serve now; the request may be retried.</summary>
    Unavailable,

    /// <summary>A throughput quota (a shard's, the tenant's or the stream's) has no room now; retry after <see cref="SluiceException.RetryAfter"/>.</summary>
    Throttled,

    /// <summary>The caller is not authenticated.</summary>
    Unauthenticated,

    /// <summary>The caller is authenticated but its ACLs do not allow the operation on that stream of its own tenant.</summary>
    PermissionDenied,

    /// <summary>A bug or an unexpected failure.</summary>
    Internal,

    /// <summary>
    /// The stream is not in a state that allows the operation: it is still being created or
    /// already being deleted, a reshard is under way, or it has consumers that the request did not
    /// agree to delete.
    /// </summary>
    ResourceInUse,

    /// <summary>The stream exists but is not ACTIVE (it is CREATING or DELETING): it takes no reads or writes.</summary>
    StreamNotActive,

    /// <summary>The request would go over a limit (shards per stream or per account).</summary>
    LimitExceeded,

    /// <summary>The operation is not supported for the stream as it is configured (e.g. resharding an on-demand stream).</summary>
    NotSupported,
}
