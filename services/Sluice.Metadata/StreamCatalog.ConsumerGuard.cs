namespace Sluice.Metadata;

public sealed partial class StreamCatalog
{
    /// <summary>
    /// How many consumers (Kinesis RegisterStreamConsumer) the stream has; DeleteStream refuses a
    /// stream with consumers unless the caller sets EnforceConsumerDeletion.
    /// </summary>
    /// <remarks>
    /// HOOK for stream consumers: there is no consumer table on this branch, so a stream has none.
    /// With the table, count its rows of <paramref name="streamId"/> here through <paramref name="db"/>:
    /// the caller holds the stream row FOR UPDATE in that transaction, so registration must lock the
    /// row too (FOR SHARE) to never slip in after the count; and let the consumer rows go with the
    /// stream (ON DELETE CASCADE), which is what EnforceConsumerDeletion asks for.
    /// </remarks>
    private static Task<int> CountConsumersAsync(MetadataDbContext db, long streamId, CancellationToken cancellationToken)
    {
        _ = db;
        _ = streamId;
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(0);
    }
}
