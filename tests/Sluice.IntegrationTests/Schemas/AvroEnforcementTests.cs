using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.IntegrationTests.Infrastructure;
using static Sluice.IntegrationTests.Schemas.SchemaFixtures;

namespace Sluice.IntegrationTests.Schemas;

/// <summary>A stream bound to an Avro subject: Avro binary in the wire format, and plain JSON in Avro's natural JSON shape.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AvroEnforcementTests(ClusterFixture cluster)
{
    private const string OrderSchema =
        """{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},{"name":"amount","type":"double"}]}""";

    [Fact]
    public async Task Avro_wire_records_and_natural_json_are_checked_and_decoded()
    {
        var tenant = await cluster.CreateTenantAsync("avro");
        using var http = cluster.CreateHttpClient(tenant.Token);
        using var client = cluster.CreateClient(tenant);
        var subject = Name("avro-orders") + "-value";
        var id = await RegisterAsync(http, subject, OrderSchema, "AVRO");
        var stream = Name("avro");
        await client.CreateStreamAsync(stream, 1);
        Assert.Equal("AVRO", (await client.SetStreamSchemaAsync(stream, subject)).LatestSchemaType);

        var valid = Wire(id, Order(1, 2.5));
        var invalid = $"record is not valid against schema '{subject}' version 1 (id {id}, Avro 'shop.Order'): ";
        (byte[] Data, string? Error)[] records =
        [
            (valid, null),
            (Utf8("""{"id":2,"amount":0.5}"""), null),
            (Wire(id, Order(3, 1).AsSpan(0, 4)), invalid),
            (Wire(id, [.. Order(4, 1), 0x00]), invalid),
            (Utf8("""{"id":"five","amount":1}"""), invalid),
            (Utf8("""{"id":6}"""), invalid),
        ];
        await SchemaFixtures.PutAndCheckEachAsync(http, stream, records);

        var page = await http.GetFromJsonAsync<JsonElement>($"/v1/streams/{stream}/shards/shardId-000000000000/records?from=oldest&decode=true");
        var read = page.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(2, read.Count);
        Assert.Equal(Convert.ToBase64String(valid), read[0].GetProperty("data").GetString());
        Assert.Equal(id, read[0].GetProperty("schemaId").GetInt32());
        Assert.Equal(1, read[0].GetProperty("decoded").GetProperty("id").GetInt64());
        Assert.Equal(2.5, read[0].GetProperty("decoded").GetProperty("amount").GetDouble());
        Assert.Equal(0.5, read[1].GetProperty("decoded").GetProperty("amount").GetDouble());
    }

    /// <summary>Avro binary of shop.Order: the id as a zig-zag varint, the amount as a little-endian double.</summary>
    private static byte[] Order(long id, double amount)
    {
        var bytes = new List<byte>();
        var zigzag = (ulong)((id << 1) ^ (id >> 63));
        do
        {
            var b = (byte)(zigzag & 0x7F);
            zigzag >>= 7;
            bytes.Add(zigzag == 0 ? b : (byte)(b | 0x80));
        }
        while (zigzag != 0);

        var value = new byte[sizeof(double)];
        BinaryPrimitives.WriteDoubleLittleEndian(value, amount);
        bytes.AddRange(value);
        return [.. bytes];
    }
}
