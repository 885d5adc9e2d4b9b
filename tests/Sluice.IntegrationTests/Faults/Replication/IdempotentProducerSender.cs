using Sluice.Client;
using Sluice.V1;

namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>
/// The idempotent producer of one workload task: the seam of fault test 9.
/// </summary>
/// <remarks>
/// <para>
/// The workload resends a failed batch unchanged (<see cref="RetryValues.Same"/>), record for
/// record, through whichever gateway answers, which is exactly what makes duplicates without
/// idempotence. What the idempotent producer adds (issue 4) is a producer id allocated once per
/// producer and per-shard sequence numbers stamped on each record, so that the leader answers a
/// resend with the original sequence numbers instead of writing again.
/// </para>
/// <para>
/// Today the SDK has no producer id API, so this sends with the plain <c>PutRecords</c>, and test 9
/// fails when a resend duplicates a record the killed gateway had already written. When the SDK's
/// idempotent producer lands, this class is where to use it: create it in the constructor (one per
/// workload task, as the workload already does) and send through it in <see cref="PutAsync"/>,
/// keeping the resend of the same batch.
/// </para>
/// </remarks>
internal sealed class IdempotentProducerSender : IRecordSender
{
    public Task<PutRecordsResponse> PutAsync(SluiceClient client, string stream, IReadOnlyList<PutRecordsEntry> records, CancellationToken cancellationToken = default) =>
        client.PutRecordsAsync(stream, records, cancellationToken);
}
