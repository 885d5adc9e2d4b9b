using Microsoft.EntityFrameworkCore;

namespace Sluice.Metadata;

public sealed partial class StreamCatalog
{
    /// <summary>
    /// How many consumers (Kinesis RegisterStreamConsumer) the stream has; DeleteStream refuses a
    /// stream with consumers unless the caller sets EnforceConsumerDeletion.
    /// </summary>
    /// <remarks>
    /// The caller holds the stream row FOR UPDATE in this transaction and registration locks the
    /// same row, so no consumer slips in after the count. The consumer rows go with the stream
    /// (ON DELETE CASCADE), which is what EnforceConsumerDeletion asks for.
    /// </remarks>
    private static Task<int> CountConsumersAsync(MetadataDbContext db, long streamId, CancellationToken cancellationToken) =>
        db.StreamConsumers.CountAsync(c => c.StreamId == streamId, cancellationToken);
}
