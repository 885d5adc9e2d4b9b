namespace Sluice.Schemas.Tests;

public sealed class ConfluentWireTests
{
    [Fact]
    public void HeaderRoundTripsTheSchemaIdBigEndian()
    {
        var record = new byte[ConfluentWire.HeaderLength + 3];
        ConfluentWire.WriteHeader(record, 0x01020304);
        record[5] = 7;

        Assert.Equal(new byte[] { 0, 1, 2, 3, 4 }, record[..5]);
        Assert.True(ConfluentWire.TryReadHeader(record, out var id, out var payload));
        Assert.Equal(0x01020304, id);
        Assert.Equal(3, payload.Length);
        Assert.Equal(7, payload[0]);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0 })]
    [InlineData(new byte[] { 0, 0, 0, 1 })]
    [InlineData(new byte[] { 1, 0, 0, 0, 1, 9 })]
    [InlineData(new byte[] { (byte)'{', (byte)'}', 0, 0, 0 })]
    public void ShortOrUnmarkedRecordsHaveNoHeader(byte[] record) =>
        Assert.False(ConfluentWire.TryReadHeader(record, out _, out _));

    [Fact]
    public void OnlyAZeroFirstByteClaimsTheWireFormat()
    {
        Assert.True(ConfluentWire.ClaimsWireFormat([0]));
        Assert.False(ConfluentWire.ClaimsWireFormat("{\"a\":1}"u8));
        Assert.False(ConfluentWire.ClaimsWireFormat([]));
    }

    [Theory]
    [InlineData("BACKWARD", CompatibilityLevel.Backward)]
    [InlineData("full_transitive", CompatibilityLevel.FullTransitive)]
    [InlineData("NONE", CompatibilityLevel.None)]
    public void CompatibilityLevelsReadTheirWireNames(string wire, CompatibilityLevel expected)
    {
        Assert.True(CompatibilityLevels.TryParse(wire, out var level));
        Assert.Equal(expected, level);
        Assert.Equal(wire.ToUpperInvariant(), level.ToWire());
    }

    [Fact]
    public void AMissingSchemaTypeIsAvroAndLowerCaseIsRefused()
    {
        Assert.True(SchemaTypes.TryParse(null, out var type));
        Assert.Equal(SchemaType.Avro, type);
        Assert.False(SchemaTypes.TryParse("json", out _));
        Assert.True(SchemaTypes.TryParse("PROTOBUF", out type));
        Assert.Equal(SchemaType.Protobuf, type);
    }
}
