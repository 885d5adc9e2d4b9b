using Google.Protobuf;
using Grpc.Core;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.V1;
using static Sluice.IntegrationTests.Schemas.SchemaFixtures;

namespace Sluice.IntegrationTests.Schemas;

/// <summary>Schemas that cannot be read are never skipped: the records of a bound stream fail, retriably, and nothing is written.</summary>
[Collection(SchemaOutageCollection.Name)]
public sealed class SchemaOutageTests(SchemaOutageFixture cluster)
{
    private const int MaxAttempts = 5;

    [Fact]
    public async Task Without_postgresql_and_nothing_cached_the_records_of_a_bound_stream_fail_as_unavailable_and_none_is_written()
    {
        var tenant = await cluster.CreateTenantAsync("outage");
        using var http = cluster.CreateHttpClient(tenant.Token);
        using var client = cluster.CreateClient(tenant);
        var subject = Name("outage") + "-value";
        await RegisterAsync(http, subject, OrderSchema);
        var stream = Name("outage");
        await client.CreateStreamAsync(stream, 1);
        await client.SetStreamSchemaAsync(stream, subject);
        PutRecordsEntry[] entries =
        [
            new() { PartitionKey = "", Data = ByteString.CopyFromUtf8("""{"id":1,"amount":1}""") },
            new() { PartitionKey = "k", Data = ByteString.CopyFromUtf8("""{"id":2,"amount":1}""") },
        ];

        PutRecordsResponse? refused = null;
        for (var attempt = 1; refused is null; attempt++)
        {
            // A read caches the stream's route (bound) but loads no schema.
            await client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = "shardId-000000000000", Position = StartPosition.TrimHorizon });
            using (cluster.BeginMetadataOutage())
            {
                try
                {
                    refused = await client.PutRecordsAsync(stream, entries);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && attempt < MaxAttempts)
                {
                    // The binding's own announcement dropped the route after the read: it needed PostgreSQL. Again.
                }
            }
        }

        Assert.Equal(2, refused.FailedRecordCount);
        Assert.Equal("InvalidArgument", refused.Results[0].ErrorCode);
        Assert.Equal("ServiceUnavailable", refused.Results[1].ErrorCode);
        Assert.Contains($"The schemas of subject '{subject}' cannot be read", refused.Results[1].ErrorMessage, StringComparison.Ordinal);

        // PostgreSQL back: the same record is checked and written; the refused one never was.
        await Wait.UntilAsync(async () =>
        {
            try
            {
                return (await client.PutRecordsAsync(stream, [entries[1]])).FailedRecordCount == 0;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), () => "the put to succeed once PostgreSQL is back");
        var read = await client.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = "shardId-000000000000", Position = StartPosition.TrimHorizon });
        Assert.Equal(["""{"id":2,"amount":1}"""], read.Records.Select(r => r.Data.ToStringUtf8()));
    }
}
