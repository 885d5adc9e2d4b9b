namespace Sluice.Metadata.Model;

/// <summary>
/// A consumer registered with a stream for enhanced fan-out (Kinesis RegisterStreamConsumer): a
/// name unique within the stream, whose subscriptions each get the shard's records pushed.
/// Deleted with its stream.
/// </summary>
public sealed class StreamConsumer
{
    public long Id { get; set; }

    public long StreamId { get; set; }

    /// <summary>Unique within the stream; 1-128 characters of <c>[a-zA-Z0-9_.-]</c>.</summary>
    public required string Name { get; set; }

    public ConsumerStatus Status { get; set; }

    /// <summary>Registration time; its epoch seconds end the consumer's ARN.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it was deregistered (status <see cref="ConsumerStatus.Deleting"/>); null before.</summary>
    public DateTimeOffset? DeletingSince { get; set; }

    public StreamDefinition? Stream { get; set; }
}
