namespace Sluice.Metadata.Model;

/// <summary>What an ACL entry governs on a stream.</summary>
public enum AclOperation
{
    /// <summary>Write records (PutRecord(s), REST/gRPC put).</summary>
    Produce,

    /// <summary>Read records and positions (iterators, GetRecords, SubscribeToShard, consumers).</summary>
    Consume,

    /// <summary>Create, describe, list, update, reshard and delete streams; bind schemas.</summary>
    Manage,
}
