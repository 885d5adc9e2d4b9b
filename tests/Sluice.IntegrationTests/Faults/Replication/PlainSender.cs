using Sluice.Client;
using Sluice.V1;

namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>The SDK's <c>PutRecords</c>, as any client without a producer id sends.</summary>
internal sealed class PlainSender : IRecordSender
{
    public static PlainSender Instance { get; } = new();

    public Task<PutRecordsResponse> PutAsync(SluiceClient client, string stream, IReadOnlyList<PutRecordsEntry> records, CancellationToken cancellationToken = default) =>
        client.PutRecordsAsync(stream, records, cancellationToken);
}
