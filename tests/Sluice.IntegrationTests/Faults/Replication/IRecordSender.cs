using Sluice.Client;
using Sluice.V1;

namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>How one workload producer sends a batch: the SDK's plain put, or the idempotent producer.</summary>
internal interface IRecordSender
{
    Task<PutRecordsResponse> PutAsync(SluiceClient client, string stream, IReadOnlyList<PutRecordsEntry> records, CancellationToken cancellationToken = default);
}
