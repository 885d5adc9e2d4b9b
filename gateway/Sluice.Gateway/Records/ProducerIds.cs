using Sluice.Core;
using Sluice.Metadata;

namespace Sluice.Gateway.Records;

/// <summary>Allocates idempotent producer ids for both faces, with the metadata store's outage as a retriable error.</summary>
public sealed class ProducerIds(ProducerIdAllocator allocator)
{
    public async Task<long> AllocateAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await allocator.AllocateAsync(cancellationToken);
        }
        catch (Exception ex) when (MetadataDatabase.IsTransient(ex))
        {
            throw new SluiceException(SluiceErrorCode.Unavailable, "The metadata store is unavailable, so no producer id can be allocated; retry later.", ex);
        }
    }
}
