using Sluice.Gateway.Schemas;
using Sluice.Schemas;

namespace Sluice.Gateway.Tests.Schemas;

public sealed class RecordSchemaCheckTests
{
    private const string Subject = "orders-value";

    private static SubjectSnapshot TwoVersions() => new(Subject,
    [
        new LiveSchemaVersion(Subject, 2, 11, new FakeSchema("shop.OrderV2", accepts: "old")),
        new LiveSchemaVersion(Subject, 3, 17, new FakeSchema("shop.Order", accepts: "new")),
    ]);

    [Fact]
    public void A_wire_format_record_is_checked_against_the_version_its_header_names()
    {
        var snapshot = TwoVersions();
        Assert.Null(RecordSchemaCheck.Check(snapshot, Records.Wire(11, "old")));
        Assert.Null(RecordSchemaCheck.Check(snapshot, Records.Wire(17, "new")));
        Assert.Equal(
            "record is not valid against schema 'orders-value' version 3 (id 17, Avro 'shop.Order'): $.amount: expected 'new'",
            RecordSchemaCheck.Check(snapshot, Records.Wire(17, "old")));
    }

    [Fact]
    public void A_plain_record_is_checked_as_json_against_the_latest_version()
    {
        var snapshot = TwoVersions();
        Assert.Null(RecordSchemaCheck.Check(snapshot, Records.Text("{\"v\":\"new\"}")));
        Assert.Equal(
            "record is not valid against schema 'orders-value' version 3 (id 17, Avro 'shop.Order'): $.json: expected 'new'",
            RecordSchemaCheck.Check(snapshot, Records.Text("{\"v\":\"old\"}")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void A_record_starting_with_the_magic_byte_but_shorter_than_the_header_is_refused(int length)
    {
        var record = new byte[length];
        var message = RecordSchemaCheck.Check(TwoVersions(), record);
        Assert.Equal(RecordSchemaCheck.TruncatedHeader, message);
        Assert.StartsWith("truncated Confluent wire header", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(42)]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_schema_id_that_is_not_a_live_version_of_the_subject_is_refused_with_one_message(int schemaId)
    {
        Assert.Equal($"schema id {schemaId} is not a version of subject 'orders-value'", RecordSchemaCheck.Check(TwoVersions(), Records.Wire(schemaId, "new")));
    }

    [Fact]
    public void A_subject_without_live_versions_refuses_every_record()
    {
        var snapshot = new SubjectSnapshot(Subject, []);
        Assert.Null(snapshot.Latest);
        Assert.Equal(snapshot.NoLiveVersion, RecordSchemaCheck.Check(snapshot, Records.Text("{\"v\":\"new\"}")));
        Assert.Equal(snapshot.NoLiveVersion, RecordSchemaCheck.Check(snapshot, Records.Wire(17, "new")));
        Assert.Contains("has no live schema version", snapshot.NoLiveVersion, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_whose_schema_cannot_be_used_refuses_its_records_with_the_reason()
    {
        var snapshot = new SubjectSnapshot(Subject, [new LiveSchemaVersion(Subject, 1, 5, "PROTOBUF", "Schema type PROTOBUF is not supported.")]);
        var expected = "schema 'orders-value' version 1 (id 5, PROTOBUF) cannot be used to check records: Schema type PROTOBUF is not supported.";
        Assert.Equal(expected, RecordSchemaCheck.Check(snapshot, Records.Wire(5, "ok")));
        Assert.Equal(expected, RecordSchemaCheck.Check(snapshot, Records.Text("{}")));
    }

    [Fact]
    public void A_schema_registered_as_two_versions_is_named_by_its_latest()
    {
        var schema = new FakeSchema("shop.Order");
        var snapshot = new SubjectSnapshot(Subject, [new LiveSchemaVersion(Subject, 1, 9, schema), new LiveSchemaVersion(Subject, 4, 9, schema)]);
        Assert.True(snapshot.TryGetVersion(9, out var version));
        Assert.Equal(4, version.Version);
    }

    [Fact]
    public void Messages_name_the_format_as_people_know_it()
    {
        Assert.Equal("schema 's' version 1 (id 2, JSON Schema 'Order')", new LiveSchemaVersion("s", 1, 2, new FakeSchema("Order", SchemaType.Json)).Label);
        Assert.Equal("schema 's' version 1 (id 2, Protobuf 'shop.Order')", new LiveSchemaVersion("s", 1, 2, new FakeSchema("shop.Order", SchemaType.Protobuf)).Label);
    }
}
