using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.IntegrationTests.Infrastructure;
using static Sluice.IntegrationTests.Schemas.SchemaFixtures;

namespace Sluice.IntegrationTests.Schemas;

/// <summary>A stream bound to a Protobuf subject: the message-index array and the message in the wire format, proto3 JSON in plain.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ProtobufEnforcementTests(ClusterFixture cluster)
{
    private const string OrderSchema = "syntax = \"proto3\";\npackage shop;\n\nmessage Order {\n  int64 id = 1;\n  double amount = 2;\n}\n";

    [Fact]
    public async Task Protobuf_wire_records_and_proto3_json_are_checked_and_decoded()
    {
        var tenant = await cluster.CreateTenantAsync("proto");
        using var http = cluster.CreateHttpClient(tenant.Token);
        using var client = cluster.CreateClient(tenant);
        var subject = Name("proto-orders") + "-value";
        var id = await RegisterAsync(http, subject, OrderSchema, "PROTOBUF");
        var stream = Name("proto");
        await client.CreateStreamAsync(stream, 1);
        Assert.Equal("PROTOBUF", (await client.SetStreamSchemaAsync(stream, subject)).LatestSchemaType);

        // The message-index array of the first message is a lone 0.
        var valid = Wire(id, [0, .. Order(7, 2.5)]);
        var invalid = $"record is not valid against schema '{subject}' version 1 (id {id}, Protobuf 'shop.Order'): ";
        (byte[] Data, string? Error)[] records =
        [
            (valid, null),
            (Utf8("""{"id":"8","amount":0.5}"""), null),
            // Field 1 sent length-delimited: not an int64.
            (Wire(id, [0, 0x0A, 0x01, 0x00]), invalid),
            (Utf8("""{"id":"eight"}"""), invalid),
        ];
        await SchemaFixtures.PutAndCheckEachAsync(http, stream, records);

        var page = await http.GetFromJsonAsync<JsonElement>($"/v1/streams/{stream}/shards/shardId-000000000000/records?from=oldest&decode=true");
        var read = page.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(2, read.Count);
        Assert.Equal(Convert.ToBase64String(valid), read[0].GetProperty("data").GetString());
        Assert.Equal(id, read[0].GetProperty("schemaId").GetInt32());
        var decoded = read[0].GetProperty("decoded");
        Assert.Equal("7", decoded.GetProperty("id").ValueKind == JsonValueKind.String ? decoded.GetProperty("id").GetString() : decoded.GetProperty("id").GetRawText());
        Assert.Equal(2.5, decoded.GetProperty("amount").GetDouble());
    }

    /// <summary>shop.Order in the Protobuf binary encoding: field 1 as a varint, field 2 as a little-endian double.</summary>
    private static byte[] Order(long id, double amount)
    {
        var bytes = new List<byte> { 0x08 };
        var value = (ulong)id;
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);

        bytes.Add(0x11);
        var number = new byte[sizeof(double)];
        BinaryPrimitives.WriteDoubleLittleEndian(number, amount);
        bytes.AddRange(number);
        return [.. bytes];
    }
}
