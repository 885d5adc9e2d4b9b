namespace Sluice.Metadata.Model;

/// <summary>A stream consumer's lifecycle, as Kinesis' ConsumerStatus.</summary>
public enum ConsumerStatus
{
    /// <summary>Registered; it may not subscribe yet.</summary>
    Creating,

    /// <summary>Ready: it may subscribe to the stream's shards.</summary>
    Active,

    /// <summary>Deregistered; removed shortly, its subscriptions end.</summary>
    Deleting,
}
