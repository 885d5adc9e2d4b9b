using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sluice.Schemas;

namespace Sluice.IntegrationTests.Schemas;

/// <summary>
/// What the schema enforcement tests share: registering schemas through the registry's Confluent REST API (as any
/// Confluent client does), the test schemas, and records in Confluent's wire format.
/// </summary>
internal static class SchemaFixtures
{
    /// <summary>A JSON Schema: an order with an integer id and a non-negative amount.</summary>
    public const string OrderSchema =
        """{"title":"Order","type":"object","properties":{"id":{"type":"integer"},"amount":{"type":"number","minimum":0}},"required":["id","amount"]}""";

    /// <summary>A later version of <see cref="OrderSchema"/>: an optional note (backward compatible).</summary>
    public const string OrderSchemaV2 =
        """{"title":"Order","type":"object","properties":{"id":{"type":"integer"},"amount":{"type":"number","minimum":0},"note":{"type":"string"}},"required":["id","amount"]}""";

    /// <summary>Another JSON Schema, for another subject.</summary>
    public const string PaymentSchema =
        """{"title":"Payment","type":"object","properties":{"iban":{"type":"string"}},"required":["iban"]}""";

    private const string MediaType = "application/vnd.schemaregistry.v1+json";

    /// <summary>Registers a schema under a subject (POST /schema-registry/subjects/{subject}/versions) and returns its id.</summary>
    public static async Task<int> RegisterAsync(HttpClient http, string subject, string schema, string schemaType = "JSON")
    {
        var body = JsonSerializer.Serialize(new { schemaType, schema, references = Array.Empty<object>() });
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(MediaType);
        using var response = await http.PostAsync($"/schema-registry/subjects/{Uri.EscapeDataString(subject)}/versions", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"register under {subject}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt32();
    }

    /// <summary>
    /// Puts the records in one REST batch and checks each answer: a sequence number where <c>Error</c> is null, else
    /// an InvalidArgument whose message starts with <c>Error</c> and goes on to say more.
    /// </summary>
    public static async Task PutAndCheckEachAsync(HttpClient http, string stream, IReadOnlyList<(byte[] Data, string? Error)> records)
    {
        var body = new { records = records.Select((r, i) => new { partitionKey = $"k{i}", data = Convert.ToBase64String(r.Data) }).ToArray() };
        using var response = await http.PostAsJsonAsync($"/v1/streams/{stream}/records", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("records").EnumerateArray().ToList();
        for (var i = 0; i < records.Count; i++)
        {
            if (records[i].Error is null)
            {
                Assert.True(results[i].TryGetProperty("sequenceNumber", out _), $"record {i}: {results[i]}");
                continue;
            }

            Assert.Equal("InvalidArgument", results[i].GetProperty("errorCode").GetString());
            var message = results[i].GetProperty("errorMessage").GetString()!;
            Assert.StartsWith(records[i].Error!, message, StringComparison.Ordinal);
            Assert.True(message.Length > records[i].Error!.Length, message);
        }
    }

    /// <summary>Soft-deletes a version of a subject (DELETE /schema-registry/subjects/{subject}/versions/{version}).</summary>
    public static async Task SoftDeleteAsync(HttpClient http, string subject, int version)
    {
        using var response = await http.DeleteAsync($"/schema-registry/subjects/{Uri.EscapeDataString(subject)}/versions/{version}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"delete {subject}/{version}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>A record in Confluent's wire format: magic byte, big-endian schema id, payload.</summary>
    public static byte[] Wire(int schemaId, ReadOnlySpan<byte> payload)
    {
        var record = new byte[ConfluentWire.HeaderLength + payload.Length];
        ConfluentWire.WriteHeader(record, schemaId);
        payload.CopyTo(record.AsSpan(ConfluentWire.HeaderLength));
        return record;
    }

    /// <summary>A record in Confluent's wire format with a UTF-8 JSON payload (JSON Schema's serialisation).</summary>
    public static byte[] Wire(int schemaId, string json) => Wire(schemaId, Encoding.UTF8.GetBytes(json));

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A unique name for a test's stream or subject.</summary>
    public static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
