using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sluice.Gateway.Schemas;
using Sluice.Metadata;
using Sluice.Schemas;

namespace Sluice.Gateway.Tests.Schemas;

public sealed class RecordDecoderTests
{
    private readonly FakeSchemaSource _source = new();
    private readonly Guid _tenant = Guid.NewGuid();

    private RecordDecoder NewDecoder() =>
        new(new SchemaCache(_source, (type, text) => new FakeSchema(text, type), () => TimeSpan.FromSeconds(30), TimeProvider.System, NullLogger.Instance));

    private Task<DecodedRecord[]> DecodeAsync(params byte[][] records) =>
        NewDecoder().DecodeAsync(_tenant, [.. records.Select(r => (ReadOnlyMemory<byte>)r)]);

    [Fact]
    public async Task A_plain_json_record_decodes_as_itself()
    {
        var decoded = await DecodeAsync(Records.Text("{\"id\": 1, \"name\": \"ä\"}"), Records.Text("42"));
        Assert.Equal(new DecodedRecord("{\"id\": 1, \"name\": \"ä\"}", null, null), decoded[0]);
        Assert.Equal("42", decoded[1].Json);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"open\":")]
    [InlineData("{} {}")]
    public async Task A_record_that_is_neither_json_nor_wire_format_gets_a_reason(string text)
    {
        var decoded = await DecodeAsync(Records.Text(text));
        Assert.Equal(DecodedRecord.Failed(RecordDecoder.NotJson), decoded[0]);
    }

    [Fact]
    public async Task A_wire_format_record_decodes_through_the_tenants_schema_with_its_id_whichever_subject()
    {
        _source.Set(_tenant, "archive", new SubjectSchema("archive", 1, 31, "AVRO", "shop.Order", "[]"));
        var decoded = await DecodeAsync(Records.Wire(31, "ok-1"), Records.Wire(31, "ok-2"), Records.Wire(31, "bad"));

        Assert.Equal(new DecodedRecord("{\"decoded\":\"ok-1\"}", 31, null), decoded[0]);
        Assert.Equal("{\"decoded\":\"ok-2\"}", decoded[1].Json);
        Assert.Equal(31, decoded[2].SchemaId);
        Assert.Equal("record does not decode with schema id 31 (Avro 'shop.Order'): not an instance: truncated datum", decoded[2].Error);
        Assert.Equal(1, _source.SchemaReads);
    }

    [Fact]
    public async Task Unknown_ids_truncated_headers_and_another_tenants_ids_get_reasons()
    {
        _source.Set(Guid.NewGuid(), "orders", new SubjectSchema("orders", 1, 50, "AVRO", "theirs", "[]"));
        var decoded = await DecodeAsync(Records.Wire(50, "ok"), Records.Wire(51, "ok"), [0, 0, 0]);

        Assert.Equal(DecodedRecord.Failed("schema id 50 is not a schema of this tenant's registry", 50), decoded[0]);
        Assert.Equal(DecodedRecord.Failed("schema id 51 is not a schema of this tenant's registry", 51), decoded[1]);
        Assert.Equal(DecodedRecord.Failed(RecordSchemaCheck.TruncatedHeader), decoded[2]);
    }

    [Fact]
    public async Task A_registry_that_cannot_be_read_fails_the_decoding_not_the_read()
    {
        _source.Failure = new NpgsqlException("connection refused");
        var decoded = await DecodeAsync(Records.Wire(7, "ok"), Records.Text("{}"));
        Assert.Contains("metadata store is unavailable", decoded[0].Error, StringComparison.Ordinal);
        Assert.Equal("{}", decoded[1].Json);
    }

    [Fact]
    public async Task A_stored_schema_that_cannot_be_used_is_named()
    {
        _source.Set(_tenant, "orders", new SubjectSchema("orders", 1, 7, "XML", "whatever", "[]"));
        var decoded = await DecodeAsync(Records.Wire(7, "ok"));
        Assert.Equal("schema id 7 cannot be used to decode: its type 'XML' is not a schema type", decoded[0].Error);
    }
}
