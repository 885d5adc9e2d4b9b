namespace Sluice.Client;

/// <summary>When a stream's writes are acknowledged.</summary>
public enum StreamAcks
{
    /// <summary>Once every in-sync replica has the record (refused while fewer than min in-sync replicas are in sync).</summary>
    All,

    /// <summary>Once the shard's leader has the record.</summary>
    Leader,

    /// <summary>As soon as the record was sent.</summary>
    None,
}
