using System.Text.Json;
using Avro.Generic;
using Sluice.Schemas.Avro;

namespace Sluice.Schemas.Tests.Avro;

public sealed class AvroPayloadTests
{
    private static readonly AvroSchema User = AvroTestData.Parse(AvroTestData.UserSchema);

    [Fact]
    public void PayloadsWrittenByApacheAvroAreValid()
    {
        Assert.Null(User.ValidatePayload(AvroTestData.Write(User.ApacheSchema, AvroTestData.User(User.ApacheSchema))));
        Assert.Null(User.ValidatePayload(AvroTestData.Write(User.ApacheSchema, AvroTestData.User(User.ApacheSchema, age: null))));
    }

    [Fact]
    public void EveryTruncationIsAViolation()
    {
        var payload = AvroTestData.Write(User.ApacheSchema, AvroTestData.User(User.ApacheSchema));

        for (var length = 0; length < payload.Length; length++)
        {
            var violation = User.ValidatePayload(payload.AsSpan(0, length));
            Assert.NotNull(violation);
            Assert.StartsWith("$", violation, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ATrailingByteIsAViolation()
    {
        byte[] payload = [.. AvroTestData.Write(User.ApacheSchema, AvroTestData.User(User.ApacheSchema)), 0];

        Assert.Equal($"$: 1 trailing byte after the com.acme.User instance, which ends at byte {payload.Length - 1}", User.ValidatePayload(payload));
    }

    [Fact]
    public void AViolationNamesTheFieldPath()
    {
        var payload = AvroTestData.Write(User.ApacheSchema, AvroTestData.User(User.ApacheSchema, zip: "é"));
        // The zip is the last field: a 2-byte string; break its UTF-8 (a lone continuation byte).
        payload[^2] = 0x80;

        Assert.Equal("$.address.zip: the string is not valid UTF-8", User.ValidatePayload(payload));
    }

    /// <summary>Where two payloads of the same schema first differ: the byte that encodes the field that changed.</summary>
    private static int FirstDifference(byte[] a, byte[] b)
    {
        var i = 0;
        while (a[i] == b[i])
        {
            i++;
        }

        return i;
    }

    [Fact]
    public void CorruptedFieldsOfAnApacheWrittenRecordAreViolationsAtTheirPath()
    {
        var schema = User.ApacheSchema;
        var payload = AvroTestData.Write(schema, AvroTestData.User(schema));

        // age: the union index (1 = int) is where a null age differs.
        var ageIndex = FirstDifference(payload, AvroTestData.Write(schema, AvroTestData.User(schema, age: null)));
        var badUnion = (byte[])payload.Clone();
        badUnion[ageIndex] = 0x04;
        Assert.Equal("$.age: union branch index 2 is out of range: the union union [null, int] has 2 branches", User.ValidatePayload(badUnion));

        // age's int (42 is one byte) replaced by a 5-byte varint beyond 32 bits.
        byte[] overflow = [.. payload[..(ageIndex + 1)], 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, .. payload[(ageIndex + 2)..]];
        Assert.Equal("$.age: the int does not fit in 32 bits", User.ValidatePayload(overflow));

        // name: its length is the first byte after the id.
        var other = AvroTestData.User(schema);
        other.Add("name", "x");
        var nameLength = FirstDifference(payload, AvroTestData.Write(schema, other));
        var negative = (byte[])payload.Clone();
        negative[nameLength] = 0x01;
        Assert.Equal("$.name: the string length -1 is negative", User.ValidatePayload(negative));

        // suit: the enum index (1 = HEARTS).
        other = AvroTestData.User(schema);
        other.Add("suit", new GenericEnum((global::Avro.EnumSchema)((global::Avro.RecordSchema)schema)["suit"].Schema, "CLUBS"));
        var suitIndex = FirstDifference(payload, AvroTestData.Write(schema, other));
        var badEnum = (byte[])payload.Clone();
        badEnum[suitIndex] = 0x08;
        Assert.Equal("$.suit: enum index 4 is out of range: enum 'com.acme.Suit' has 4 symbols", User.ValidatePayload(badEnum));

        // tags[1]: "bc" made invalid UTF-8.
        var tags = (byte[])payload.Clone();
        var bc = payload.AsSpan().IndexOf("bc"u8);
        tags[bc] = 0xC0;
        Assert.Equal("$.tags[1]: the string is not valid UTF-8", User.ValidatePayload(tags));

        // attrs["y"]: the int value of the second map entry made a 6-byte varint.
        var y = payload.AsSpan().IndexOf("\u0002y"u8) + 2;
        byte[] longVarint = [.. payload[..y], 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, .. payload[(y + 1)..]];
        Assert.Equal("$.attrs[\"y\"]: the int varint is longer than 5 bytes", User.ValidatePayload(longVarint));
    }

    [Theory]
    [InlineData("[\"null\",\"string\"]", new byte[] { 0x04 }, "union branch index 2 is out of range")]
    [InlineData("[\"null\",\"string\"]", new byte[] { 0x01 }, "union branch index -1 is out of range")]
    [InlineData("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\",\"C\"]}", new byte[] { 0x06 }, "enum index 3 is out of range")]
    [InlineData("\"string\"", new byte[] { 0x01 }, "the string length -1 is negative")]
    [InlineData("\"bytes\"", new byte[] { 0x03, 0x00 }, "the bytes length -2 is negative")]
    [InlineData("\"string\"", new byte[] { 0x08, 0x61 }, "the string length 4 is beyond the 1 bytes left")]
    [InlineData("\"string\"", new byte[] { 0x04, 0xC3, 0x28 }, "the string is not valid UTF-8")]
    [InlineData("\"string\"", new byte[] { 0x06, 0xED, 0xA0, 0x80 }, "the string is not valid UTF-8")]
    [InlineData("\"int\"", new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x1F }, "the int does not fit in 32 bits")]
    [InlineData("\"int\"", new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 }, "the int varint is longer than 5 bytes")]
    [InlineData("\"long\"", new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02 }, "the long does not fit in 64 bits")]
    [InlineData("\"long\"", new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 }, "the long varint is longer than 10 bytes")]
    [InlineData("\"long\"", new byte[] { 0x80 }, "the payload ends in the middle of a long")]
    [InlineData("\"boolean\"", new byte[] { 0x02 }, "a boolean is the byte 0 or 1, got 0x02")]
    [InlineData("\"double\"", new byte[] { 0, 0, 0, 0, 0, 0, 0 }, "the payload ends in the middle of a double (8 bytes)")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"F\",\"size\":4}", new byte[] { 1, 2, 3 }, "fixed 'F' takes 4 bytes, but only 3 are left")]
    [InlineData("{\"type\":\"array\",\"items\":\"int\"}", new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x02 }, "the array block claims 2147483647 items, more than the 1 bytes left can hold")]
    [InlineData("{\"type\":\"array\",\"items\":\"int\"}", new byte[] { 0x03, 0x06, 0x02, 0x04, 0x00 }, "the array block declared a size of 3 bytes, but its items took 2")]
    [InlineData("{\"type\":\"array\",\"items\":\"int\"}", new byte[] { 0x03, 0x40, 0x02, 0x00 }, "the array block size 32 is negative or beyond the 2 bytes left")]
    [InlineData("{\"type\":\"array\",\"items\":\"null\"}", new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x00 }, "the array claims more than 65536 items of null")]
    [InlineData("{\"type\":\"map\",\"values\":\"int\"}", new byte[] { 0x02, 0x02, 0xFF, 0x02, 0x00 }, "$[0]: the map key is not valid UTF-8")]
    [InlineData("{\"type\":\"map\",\"values\":\"boolean\"}", new byte[] { 0x02, 0x02, 0x6B, 0x07, 0x00 }, "$[\"k\"]: a boolean is the byte 0 or 1, got 0x07")]
    [InlineData("{\"type\":\"array\",\"items\":\"int\"}", new byte[] { 0x04, 0x02, 0x80 }, "$[1]: the payload ends in the middle of an int")]
    [InlineData("\"null\"", new byte[] { 0x00 }, "$: 1 trailing byte after the null instance, which ends at byte 0")]
    public void HostilePayloadsAreViolationsNamingTheProblem(string schemaText, byte[] payload, string expected)
    {
        var schema = AvroTestData.Parse(schemaText);

        var violation = schema.ValidatePayload(payload);

        Assert.NotNull(violation);
        Assert.Contains(expected, violation, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => schema.DecodePayloadToJson(payload));
    }

    [Theory]
    [InlineData("{\"type\":\"array\",\"items\":\"int\"}", new byte[] { 0x03, 0x04, 0x02, 0x04, 0x02, 0x06, 0x00 }, "[1,2,3]")]
    [InlineData("{\"type\":\"array\",\"items\":\"null\"}", new byte[] { 0x06, 0x00 }, "[null,null,null]")]
    [InlineData("{\"type\":\"map\",\"values\":\"long\"}", new byte[] { 0x01, 0x06, 0x02, 0x6B, 0x54, 0x00 }, "{\"k\":42}")]
    [InlineData("[\"null\",\"string\"]", new byte[] { 0x02, 0x02, 0x61 }, "\"a\"")]
    [InlineData("[\"null\",\"string\"]", new byte[] { 0x00 }, "null")]
    [InlineData("\"int\"", new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }, "-2147483648")]
    [InlineData("\"long\"", new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "9223372036854775807")]
    [InlineData("\"int\"", new byte[] { 0x82, 0x80, 0x00 }, "1")]
    [InlineData("\"float\"", new byte[] { 0x00, 0x00, 0xC0, 0x7F }, "\"NaN\"")]
    [InlineData("\"float\"", new byte[] { 0xCD, 0xCC, 0xCC, 0x3D }, "0.1")]
    [InlineData("\"double\"", new byte[] { 0, 0, 0, 0, 0, 0, 0xF0, 0xFF }, "\"-Infinity\"")]
    [InlineData("\"null\"", new byte[] { }, "null")]
    [InlineData("\"bytes\"", new byte[] { 0x00 }, "\"\"")]
    [InlineData("{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}", new byte[] { 0x80, 0x80, 0x04 }, "32768")]
    [InlineData("{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":4,\"scale\":2}", new byte[] { 0x04, 0x04, 0xD2 }, "\"BNI=\"")]
    [InlineData("{\"type\":\"record\",\"name\":\"Empty\",\"fields\":[]}", new byte[] { }, "{}")]
    public void BlockedCollectionsUnionsAndEdgeNumbersDecode(string schemaText, byte[] payload, string json)
    {
        var schema = AvroTestData.Parse(schemaText);

        Assert.Null(schema.ValidatePayload(payload));
        Assert.Equal(json, schema.DecodePayloadToJson(payload));
        Assert.Null(schema.ValidateJson(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void DeeplyNestedRecursivePayloadsAreRefusedWithoutOverflowingTheStack()
    {
        var list = AvroTestData.Parse(AvroTestData.LinkedListSchema);
        // value 0, then "next is a Node" over and over: a list far deeper than the nesting limit.
        var payload = new byte[200_000];
        for (var i = 0; i < payload.Length; i += 2)
        {
            payload[i] = 0x00;
            payload[i + 1] = 0x02;
        }

        var violation = list.ValidatePayload(payload);

        Assert.NotNull(violation);
        Assert.Contains("nests deeper than 256 levels", violation, StringComparison.Ordinal);
        Assert.StartsWith("$.next.next.next", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void RecursivePayloadsWithinTheLimitAreValid()
    {
        var list = AvroTestData.Parse(AvroTestData.LinkedListSchema);
        // [1, 2, 3]: value 1, next → value 2, next → value 3, next null.
        byte[] payload = [0x02, 0x02, 0x04, 0x02, 0x06, 0x00];

        Assert.Null(list.ValidatePayload(payload));
        Assert.Equal("{\"value\":1,\"next\":{\"value\":2,\"next\":{\"value\":3,\"next\":null}}}", list.DecodePayloadToJson(payload));
    }

    [Fact]
    public void DecodingGivesTheNaturalJsonShape()
    {
        var payload = AvroTestData.Write(User.ApacheSchema, AvroTestData.User(User.ApacheSchema));

        var json = User.DecodePayloadToJson(payload);

        Assert.Equal(
            "{\"id\":1234567890123,\"name\":\"Zo\\u00EB Martin\",\"age\":42,\"active\":true,\"score\":98.5,\"ratio\":0.25,\"avatar\":\"AQID+g==\","
            + "\"suit\":\"HEARTS\",\"hash\":\"3q2+7w==\",\"tags\":[\"a\",\"bc\"],\"attrs\":{\"x\":1,\"y\":-2},\"address\":{\"zip\":\"75001\"}}",
            json);
        using var document = JsonDocument.Parse(json);
        Assert.Equal("Zoë Martin", document.RootElement.GetProperty("name").GetString());
        Assert.Null(User.ValidateJson(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void ValidatingAValidPayloadAllocatesNothing()
    {
        var payload = AvroTestData.Write(User.ApacheSchema, AvroTestData.User(User.ApacheSchema));
        Assert.Null(User.ValidatePayload(payload));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            User.ValidatePayload(payload);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void MutatedPayloadsNeverThrowAndWhatPassesApacheAvroReads()
    {
        var valid = AvroTestData.Write(User.ApacheSchema, AvroTestData.User(User.ApacheSchema));
        var random = new Random(20261125);
        var accepted = 0;
        for (var round = 0; round < 20_000; round++)
        {
            var payload = (byte[])valid.Clone();
            var flips = random.Next(1, 4);
            for (var f = 0; f < flips; f++)
            {
                payload[random.Next(payload.Length)] = (byte)random.Next(256);
            }

            if (User.ValidatePayload(payload) is null)
            {
                accepted++;
                // Whatever the walker accepts, the reference reader reads, and the decoder turns into valid natural JSON.
                var datum = AvroTestData.Read(User.ApacheSchema, payload);
                Assert.IsType<GenericRecord>(datum);
                Assert.Null(User.ValidateJson(System.Text.Encoding.UTF8.GetBytes(User.DecodePayloadToJson(payload))));
            }
        }

        Assert.InRange(accepted, 1, 19_999);
    }
}
