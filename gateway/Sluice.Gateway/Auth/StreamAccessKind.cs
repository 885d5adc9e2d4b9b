namespace Sluice.Gateway.Auth;

/// <summary>What an operation on a stream needs from the ACLs.</summary>
public enum StreamAccessKind
{
    /// <summary>Writing records.</summary>
    Produce,

    /// <summary>Reading records: iterators, reads, subscriptions, consumer registration.</summary>
    Consume,

    /// <summary>Creating, deleting, changing and resharding the stream.</summary>
    Manage,

    /// <summary>Describing the stream (shards, summary, consumers, tags): any one of the three operations will do.</summary>
    Any,
}
