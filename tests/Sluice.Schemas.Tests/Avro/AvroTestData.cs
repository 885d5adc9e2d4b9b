using Avro.Generic;
using Avro.IO;
using Sluice.Schemas.Avro;
using ApacheSchema = Avro.Schema;
using EnumSchema = Avro.EnumSchema;
using FixedSchema = Avro.FixedSchema;
using RecordSchema = Avro.RecordSchema;

namespace Sluice.Schemas.Tests.Avro;

/// <summary>Schemas and datums the Avro tests share; payloads are written by Apache.Avro, not by the code under test.</summary>
internal static class AvroTestData
{
    public const string UserSchema = """
        {"type":"record","name":"User","namespace":"com.acme","fields":[
          {"name":"id","type":"long"},
          {"name":"name","type":"string"},
          {"name":"age","type":["null","int"],"default":null},
          {"name":"active","type":"boolean"},
          {"name":"score","type":"double"},
          {"name":"ratio","type":"float"},
          {"name":"avatar","type":"bytes"},
          {"name":"suit","type":{"type":"enum","name":"Suit","symbols":["SPADES","HEARTS","DIAMONDS","CLUBS"]}},
          {"name":"hash","type":{"type":"fixed","name":"Hash","size":4}},
          {"name":"tags","type":{"type":"array","items":"string"}},
          {"name":"attrs","type":{"type":"map","values":"int"}},
          {"name":"address","type":{"type":"record","name":"Address","fields":[{"name":"zip","type":"string"}]}}
        ]}
        """;

    public const string LinkedListSchema = """
        {"type":"record","name":"Node","fields":[
          {"name":"value","type":"int"},
          {"name":"next","type":["null","Node"],"default":null}
        ]}
        """;

    public static AvroSchema Parse(string text) => (AvroSchema)new AvroFormat().Parse(text);

    /// <summary>A user with every field set; <paramref name="age"/> null takes the union's null branch.</summary>
    public static GenericRecord User(ApacheSchema schema, int? age = 42, string zip = "75001")
    {
        var record = (RecordSchema)schema;
        var user = new GenericRecord(record);
        user.Add("id", 1234567890123L);
        user.Add("name", "Zoë Martin");
        user.Add("age", age);
        user.Add("active", true);
        user.Add("score", 98.5);
        user.Add("ratio", 0.25f);
        user.Add("avatar", new byte[] { 1, 2, 3, 250 });
        user.Add("suit", new GenericEnum((EnumSchema)record["suit"].Schema, "HEARTS"));
        user.Add("hash", new GenericFixed((FixedSchema)record["hash"].Schema, [0xDE, 0xAD, 0xBE, 0xEF]));
        user.Add("tags", new object[] { "a", "bc" });
        user.Add("attrs", new Dictionary<string, object> { ["x"] = 1, ["y"] = -2 });
        var address = new GenericRecord((RecordSchema)record["address"].Schema);
        address.Add("zip", zip);
        user.Add("address", address);
        return user;
    }

    /// <summary>Serialises a record with Apache.Avro's generic writer: the reference encoder the validator must agree with.</summary>
    public static byte[] Write(ApacheSchema schema, GenericRecord datum)
    {
        using var stream = new MemoryStream();
        var encoder = new BinaryEncoder(stream);
        new GenericDatumWriter<GenericRecord>(schema).Write(datum, encoder);
        encoder.Flush();
        return stream.ToArray();
    }

    /// <summary>Serialises any datum (primitives, arrays, unions) with Apache.Avro's generic writer.</summary>
    public static byte[] WriteDatum(ApacheSchema schema, object? datum)
    {
        using var stream = new MemoryStream();
        var encoder = new BinaryEncoder(stream);
        new GenericDatumWriter<object?>(schema).Write(datum, encoder);
        encoder.Flush();
        return stream.ToArray();
    }

    /// <summary>Reads a payload with Apache.Avro's generic reader; throws when it cannot.</summary>
    public static object Read(ApacheSchema schema, byte[] payload)
    {
        using var stream = new MemoryStream(payload);
        return new GenericDatumReader<object>(schema, schema).Read(null!, new BinaryDecoder(stream));
    }
}
