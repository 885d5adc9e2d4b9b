using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Sluice.Schemas;
using Sluice.Schemas.Json;

namespace Sluice.Benchmarks;

/// <summary>
/// Produce-time validation of one ~1 KiB JSON record against a ~10-field JSON schema, as the gateway does for every
/// record of a stream with a JSON subject (target: 30,000 records/s on a loaded 2-core box, so well under 20 µs each).
/// The parse alone is the floor: what validation costs on top of reading the record at all.
/// </summary>
[MemoryDiagnoser]
public class JsonSchemaValidationBenchmarks
{
    private const string Schema = """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "title": "Order",
          "type": "object",
          "properties": {
            "orderId": { "type": "string", "pattern": "^ord-[0-9a-f]{8}$" },
            "customer": { "type": "string", "maxLength": 64 },
            "email": { "type": "string", "maxLength": 254, "pattern": "^[^@\\s]+@[^@\\s]+$" },
            "quantity": { "type": "integer", "minimum": 1, "maximum": 10000 },
            "unitPrice": { "type": "number", "exclusiveMinimum": 0 },
            "priority": { "type": "integer", "minimum": 0, "maximum": 9 },
            "gift": { "type": "boolean" },
            "status": { "enum": ["NEW", "PAID", "SHIPPED", "DELIVERED", "CANCELLED"] },
            "note": { "type": "string", "maxLength": 512 },
            "address": {
              "type": "object",
              "properties": {
                "street": { "type": "string", "maxLength": 128 },
                "city": { "type": "string", "maxLength": 64 },
                "zip": { "type": "string", "pattern": "^[0-9]{5}$" },
                "country": { "type": "string", "minLength": 2, "maxLength": 2 }
              },
              "required": ["street", "city", "zip", "country"],
              "additionalProperties": false
            },
            "tags": { "type": "array", "items": { "type": "string", "maxLength": 32 }, "maxItems": 16, "uniqueItems": true }
          },
          "required": ["orderId", "customer", "quantity", "unitPrice", "status", "address"]
        }
        """;

    private ParsedSchema _schema = null!;
    private byte[] _valid = [];
    private byte[] _invalid = [];

    [GlobalSetup]
    public void Setup()
    {
        _schema = new JsonSchemaFormat().Parse(Schema);
        var note = new string('x', 380);
        _valid = Encoding.UTF8.GetBytes($$"""
            {"orderId":"ord-0badcafe","customer":"Ada Lovelace","email":"ada@example.com","quantity":3,"unitPrice":19.99,
             "priority":4,"gift":false,"status":"PAID","note":"{{note}}",
             "address":{"street":"12 Analytical Engine Street","city":"London","zip":"12345","country":"GB"},
             "tags":["books","maths","engines","history","science","poetry","computing","victorian"]}
            """);
        // The same record with the zip a number: one violation, deep in the record.
        _invalid = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(_valid).Replace("\"zip\":\"12345\"", "\"zip\":12345", StringComparison.Ordinal));
        if (_schema.ValidateJson(_valid) is { } unexpected)
        {
            throw new InvalidOperationException($"The benchmark's valid record fails: {unexpected}");
        }

        if (_schema.ValidateJson(_invalid) is null)
        {
            throw new InvalidOperationException("The benchmark's invalid record passes.");
        }
    }

    /// <summary>The record's size, for reading the figures (about 1 KiB).</summary>
    public int RecordBytes => _valid.Length;

    [Benchmark(Baseline = true, Description = "JsonDocument.Parse only (floor)")]
    public int ParseOnly()
    {
        using var document = JsonDocument.Parse(_valid);
        return document.RootElement.GetPropertyCount();
    }

    [Benchmark(Description = "ValidateJson, valid 1 KiB record")]
    public string? Valid() => _schema.ValidateJson(_valid);

    [Benchmark(Description = "ValidateJson, invalid 1 KiB record (message built)")]
    public string? Invalid() => _schema.ValidateJson(_invalid);
}
