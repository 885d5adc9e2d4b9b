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

    /// <summary>The caller is not authenticated.</summary>
    Unauthenticated,

    /// <summary>A bug or an unexpected failure.</summary>
    Internal,

    /// <summary>The stream is busy with another change (not ACTIVE, or a reshard is under way); retry once it is ACTIVE.</summary>
    ResourceInUse,

    /// <summary>The request would go over a limit (shards per stream or per account).</summary>
    LimitExceeded,

    /// <summary>The operation is not supported for the stream as it is configured (e.g. resharding an on-demand stream).</summary>
    NotSupported,
}
