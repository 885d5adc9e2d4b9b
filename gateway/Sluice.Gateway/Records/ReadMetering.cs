namespace Sluice.Gateway.Records;

/// <summary>What a read counts against the quotas.</summary>
public enum ReadMetering
{
    /// <summary>A GetRecords call: one of the shard's read calls before it, its bytes after.</summary>
    Call,

    /// <summary>A push of a subscription (enhanced fan-out): its bytes only.</summary>
    BytesOnly,

    /// <summary>Not a read of records for a client (finding the latest position for an iterator): nothing.</summary>
    None,
}
