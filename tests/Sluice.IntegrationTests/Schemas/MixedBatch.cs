using Google.Protobuf;
using Sluice.Client;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.V1;
using static Sluice.IntegrationTests.Schemas.SchemaFixtures;

namespace Sluice.IntegrationTests.Schemas;

/// <summary>
/// A stream bound to a subject with one JSON Schema version, and one batch of every kind of record a producer may
/// send it: valid ones in the wire format and in plain JSON, and each way of being wrong, with the message each
/// wrong one must be refused with. Every face sends the same batch and must give the same answers.
/// </summary>
internal sealed class MixedBatch
{
    private MixedBatch(string stream, string subject, IReadOnlyList<(byte[] Data, string? Error)> records)
    {
        Stream = stream;
        Subject = subject;
        Records = records;
    }

    public string Stream { get; }

    public string Subject { get; }

    /// <summary>Each record, and null when it must be written or the start of the message it must be refused with.</summary>
    public IReadOnlyList<(byte[] Data, string? Error)> Records { get; }

    public IEnumerable<byte[]> Valid => Records.Where(r => r.Error is null).Select(r => r.Data);

    public int Refused => Records.Count(r => r.Error is not null);

    /// <summary>Makes the tenant's stream, subjects and schemas (and one of another tenant), binds the stream, and builds the batch.</summary>
    public static async Task<MixedBatch> CreateAsync(SluiceCluster cluster, TestTenant tenant, string face)
    {
        using var http = cluster.CreateHttpClient(tenant.Token);
        var subject = Name($"{face}-orders") + "-value";
        var orderId = await RegisterAsync(http, subject, OrderSchema);
        var paymentId = await RegisterAsync(http, Name($"{face}-payments") + "-value", PaymentSchema);
        var other = await cluster.CreateTenantAsync("other");
        using var otherHttp = cluster.CreateHttpClient(other.Token);
        var foreignId = await RegisterAsync(otherHttp, subject, OrderSchema);
        var unknownId = Math.Max(orderId, Math.Max(paymentId, foreignId)) + 100_000;

        var stream = Name($"{face}-bound");
        using var client = cluster.CreateClient(tenant);
        await client.CreateStreamAsync(stream, 1);
        await client.SetStreamSchemaAsync(stream, subject);

        var invalid = $"record is not valid against schema '{subject}' version 1 (id {orderId}, JSON Schema 'Order'): ";
        return new MixedBatch(stream, subject,
        [
            (Wire(orderId, """{"id":1,"amount":2.5}"""), null),
            (Utf8("""{"id":2,"amount":3}"""), null),
            (Utf8("""{"id":3,"amount":-1}"""), invalid),
            (Utf8("not json at all"), invalid),
            (Wire(paymentId, """{"iban":"DE00"}"""), $"schema id {paymentId} is not a version of subject '{subject}'"),
            (Wire(unknownId, """{"id":4,"amount":1}"""), $"schema id {unknownId} is not a version of subject '{subject}'"),
            ([0], "truncated Confluent wire header"),
            ([0, 0, 0, 1], "truncated Confluent wire header"),
            (Wire(foreignId, """{"id":5,"amount":1}"""), $"schema id {foreignId} is not a version of subject '{subject}'"),
            (Wire(orderId, """{"id":6,"amount":0}"""), null),
            (Wire(orderId, """{"id":7,"amount":-5}"""), invalid),
        ]);
    }

    /// <summary>Asserts one record's answer: written, or refused with the expected message.</summary>
    public void AssertResult(int index, bool succeeded, string? errorCode, string? errorMessage, string invalidArgumentCode)
    {
        var expected = Records[index].Error;
        if (expected is null)
        {
            Assert.True(succeeded, $"record {index} should have been written: {errorCode} {errorMessage}");
            return;
        }

        Assert.False(succeeded, $"record {index} should have been refused with '{expected}'");
        Assert.Equal(invalidArgumentCode, errorCode);
        Assert.NotNull(errorMessage);
        Assert.StartsWith(expected, errorMessage, StringComparison.Ordinal);
        if (expected.EndsWith(": ", StringComparison.Ordinal))
        {
            // The violation itself follows the version's name.
            Assert.True(errorMessage.Length > expected.Length, $"record {index}: no violation after '{expected}'");
        }
    }

    /// <summary>Reads the stream back and asserts it holds exactly the valid records, in order, byte for byte.</summary>
    public async Task AssertOnlyValidWrittenAsync(SluiceClient client)
    {
        var read = new List<byte[]>();
        await foreach (var record in client.ReadShardAsync(Stream, "shardId-000000000000", StartPosition.TrimHorizon))
        {
            read.Add(record.Data.ToByteArray());
        }

        Assert.Equal(Valid.Select(Convert.ToHexString), read.Select(Convert.ToHexString));
    }

    public IReadOnlyList<PutRecordsEntry> Entries() =>
        [.. Records.Select((r, i) => new PutRecordsEntry { PartitionKey = $"k{i}", Data = ByteString.CopyFrom(r.Data) })];
}
