using System.Buffers;
using System.Formats.Cbor;
using System.Text;
using System.Text.Json;
using Sluice.Gateway.Kinesis.Protocol;

namespace Sluice.Gateway.Tests.Kinesis.Protocol;

/// <summary>
/// <see cref="KinesisCbor"/>: Kinesis requests as the AWS SDKs for Java write them in CBOR, into the
/// JSON protocol; the endpoint's JSON responses into the CBOR those SDKs read; and every malformed
/// body refused with a message that says what and where.
/// </summary>
public sealed class KinesisCborTests
{
    // What the AWS SDK for Java v2 writes for PutRecords (Jackson's CBORGenerator: indefinite-length
    // maps and arrays, definite strings, blobs as byte strings), members in the model's order.
    private const string JavaV2PutRecords =
        "BF" +                                      // PutRecordsRequest {
        "67 5265636F726473" +                       //   "Records":
        "9F" +                                      //   [
        "BF" +                                      //     {
        "64 44617461 44 0001FEFF" +                 //       "Data": h'0001FEFF',
        "6C 506172746974696F6E4B6579 64 706B2D31" + //       "PartitionKey": "pk-1"
        "FF" +                                      //     },
        "BF" +                                      //     {
        "64 44617461 40" +                          //       "Data": h'' (an empty record),
        "6C 506172746974696F6E4B6579 64 706B2D32" + //       "PartitionKey": "pk-2"
        "FF" +                                      //     }
        "FF" +                                      //   ],
        "6A 53747265616D4E616D65 66 6F7264657273" + //   "StreamName": "orders"
        "FF";                                       // }

    private const string JavaV2PutRecordsJson =
        """{"Records":[{"Data":"AAH+/w==","PartitionKey":"pk-1"},{"Data":"","PartitionKey":"pk-2"}],"StreamName":"orders"}""";

    // GetShardIterator(AT_TIMESTAMP) from a v2 KinesisClient: the Timestamp is tag 1 (C1) over the
    // epoch milliseconds as a 64-bit integer (1B), as captured off the wire in floci issue 2368.
    private const string JavaV2GetShardIteratorAtTimestamp =
        "BF" +
        "6A 53747265616D4E616D65 66 6F7264657273" +                              // "StreamName": "orders"
        "67 53686172644964 74 736861726449642D303030303030303030303030" +        // "ShardId": "shardId-000000000000"
        "71 53686172644974657261746F7254797065 6C 41545F54494D455354414D50" +     // "ShardIteratorType": "AT_TIMESTAMP"
        "69 54696D657374616D70 C1 1B 000001A013ACCC38" +                          // "Timestamp": 1(1787036486712)
        "FF";

    private const string JavaV2GetShardIteratorAtTimestampJson =
        """{"StreamName":"orders","ShardId":"shardId-000000000000","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1787036486.712}""";

    // PutRecord from the AWS SDK for Java v1 (its own member order).
    private const string JavaV1PutRecord =
        "BF" +
        "6A 53747265616D4E616D65 66 6F7264657273" +              // "StreamName": "orders"
        "64 44617461 45 68656C6C6F" +                            // "Data": h'68656C6C6F' ("hello")
        "6C 506172746974696F6E4B6579 61 6B" +                    // "PartitionKey": "k"
        "6F 4578706C69636974486173684B6579 78 27" +              // "ExplicitHashKey": (39 characters)
        "313730313431313833343630343639323331373331363837333033373135383834313035373238" +
        "FF";

    // ListShards with a ShardFilter: both timestamps tagged milliseconds, one of them nested.
    private const string JavaV2ListShardsAtTimestamp =
        "BF" +
        "6A 53747265616D4E616D65 66 6F7264657273" +                       // "StreamName": "orders"
        "77 53747265616D4372656174696F6E54696D657374616D70" +              // "StreamCreationTimestamp":
        "C1 1B 000001897BD9847B" +                                         //   1(1690000000123)
        "6B 536861726446696C746572" +                                      // "ShardFilter":
        "BF 64 54797065 6C 41545F54494D455354414D50" +                     //   { "Type": "AT_TIMESTAMP",
        "69 54696D657374616D70 C1 1B 0000018BCFE56800 FF" +               //     "Timestamp": 1(1700000000000) }
        "FF";

    [Fact]
    public void Java_v2_PutRecords_becomes_the_json_protocol_request_with_base64_blobs()
    {
        Assert.Equal(JavaV2PutRecordsJson, ToJson(JavaV2PutRecords));
    }

    [Fact]
    public void Java_v2_GetShardIterator_timestamp_in_milliseconds_becomes_epoch_seconds()
    {
        Assert.Equal(JavaV2GetShardIteratorAtTimestampJson, ToJson(JavaV2GetShardIteratorAtTimestamp));
    }

    [Fact]
    public void Java_v1_PutRecord_becomes_the_json_protocol_request()
    {
        Assert.Equal(
            """{"StreamName":"orders","Data":"aGVsbG8=","PartitionKey":"k","ExplicitHashKey":"170141183460469231731687303715884105728"}""",
            ToJson(JavaV1PutRecord));
    }

    [Fact]
    public void ListShards_timestamps_convert_at_any_depth()
    {
        Assert.Equal(
            """{"StreamName":"orders","StreamCreationTimestamp":1690000000.123,"ShardFilter":{"Type":"AT_TIMESTAMP","Timestamp":1700000000}}""",
            ToJson(JavaV2ListShardsAtTimestamp));
    }

    [Theory]
    [InlineData(JavaV2PutRecords)]
    [InlineData(JavaV2GetShardIteratorAtTimestamp)]
    [InlineData(JavaV2ListShardsAtTimestamp)]
    [InlineData(JavaV1PutRecord)]
    public void Java_sdk_requests_survive_a_round_trip_through_json_byte_for_byte(string javaCbor)
    {
        // FromJson writes what Jackson writes: indefinite containers, tag 1 over 64-bit milliseconds.
        var cbor = Hex(javaCbor);

        Assert.Equal(Convert.ToHexString(cbor), Convert.ToHexString(KinesisCbor.FromJson(KinesisCbor.ToJson(cbor))));
    }

    [Fact]
    public void PutRecords_with_a_one_mebibyte_record_and_an_empty_one_keeps_every_byte()
    {
        var big = new byte[1024 * 1024];
        new Random(20131202).NextBytes(big);
        var cbor = new CborWriter(CborConformanceMode.Lax);
        cbor.WriteStartMap(null);
        cbor.WriteTextString("Records");
        cbor.WriteStartArray(null);
        foreach (var data in new[] { big, [] })
        {
            cbor.WriteStartMap(null);
            cbor.WriteTextString("Data");
            cbor.WriteByteString(data);
            cbor.WriteTextString("PartitionKey");
            cbor.WriteTextString("pk");
            cbor.WriteEndMap();
        }
        cbor.WriteEndArray();
        cbor.WriteTextString("StreamName");
        cbor.WriteTextString("orders");
        cbor.WriteEndMap();

        using var json = JsonDocument.Parse(KinesisCbor.ToJson(cbor.Encode()));

        var records = json.RootElement.GetProperty("Records");
        Assert.Equal(big, records[0].GetProperty("Data").GetBytesFromBase64());
        Assert.Empty(records[1].GetProperty("Data").GetBytesFromBase64());
        Assert.Equal("orders", json.RootElement.GetProperty("StreamName").GetString());
    }

    [Fact]
    public void GetRecords_response_becomes_the_cbor_the_java_sdk_reads()
    {
        var json = """
            {"Records":[{"SequenceNumber":"49590338271490256608559692538361571095921575989136588898",
            "ApproximateArrivalTimestamp":1787036486.712,"Data":"AAH+/w==","PartitionKey":"pk-1"}],
            "NextShardIterator":"AAAA","MillisBehindLatest":0}
            """;

        var cbor = KinesisCbor.FromJson(Encoding.UTF8.GetBytes(json));

        Assert.Equal(Convert.ToHexString(Hex(
            "BF" +
            "67 5265636F726473 9F BF" +                                            // "Records": [ {
            "6E 53657175656E63654E756D626572 78 38" +                               //   "SequenceNumber": (56 characters)
            "3439353930333338323731343930323536363038353539363932353338333631353731303935393231353735393839313336353838383938" +
            "78 1B 417070726F78696D6174654172726976616C54696D657374616D70" +          //   "ApproximateArrivalTimestamp":
            "C1 1B 000001A013ACCC38" +                                              //     1(1787036486712)
            "64 44617461 44 0001FEFF" +                                             //   "Data": h'0001FEFF'
            "6C 506172746974696F6E4B6579 64 706B2D31" +                             //   "PartitionKey": "pk-1"
            "FF FF" +                                                               // } ]
            "71 4E65787453686172644974657261746F72 64 41414141" +                   // "NextShardIterator": "AAAA"
            "72 4D696C6C6973426568696E644C6174657374 00" +                          // "MillisBehindLatest": 0
            "FF")), Convert.ToHexString(cbor));
    }

    [Fact]
    public void GetRecords_response_with_a_one_mebibyte_record_keeps_every_byte()
    {
        var big = new byte[1024 * 1024];
        new Random(7).NextBytes(big);
        var json = Encoding.UTF8.GetBytes(
            $$"""{"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1700000000.5,"Data":"{{Convert.ToBase64String(big)}}","PartitionKey":"pk"},{"SequenceNumber":"2","Data":"","PartitionKey":"pk"}],"NextShardIterator":"AAAA","MillisBehindLatest":0}""");

        var reader = new CborReader(KinesisCbor.FromJson(json), CborConformanceMode.Strict);

        reader.ReadStartMap();
        Assert.Equal("Records", reader.ReadTextString());
        reader.ReadStartArray();
        reader.ReadStartMap();
        Assert.Equal("SequenceNumber", reader.ReadTextString());
        Assert.Equal("1", reader.ReadTextString());
        Assert.Equal("ApproximateArrivalTimestamp", reader.ReadTextString());
        Assert.Equal(CborTag.UnixTimeSeconds, reader.ReadTag());
        Assert.Equal(1700000000500L, reader.ReadInt64());
        Assert.Equal("Data", reader.ReadTextString());
        Assert.Equal(big, reader.ReadByteString());
        Assert.Equal("PartitionKey", reader.ReadTextString());
        Assert.Equal("pk", reader.ReadTextString());
        reader.ReadEndMap();
        reader.ReadStartMap();
        Assert.Equal("SequenceNumber", reader.ReadTextString());
        Assert.Equal("2", reader.ReadTextString());
        Assert.Equal("Data", reader.ReadTextString());
        Assert.Empty(reader.ReadByteString());
    }

    [Fact]
    public void Error_response_goes_through_the_same_path()
    {
        var cbor = KinesisCbor.FromJson("""{"__type":"ResourceNotFoundException","message":"Stream orders not found."}"""u8);

        // The shape kinesalite's canned CBOR errors have: an indefinite-length map of two text members.
        Assert.Equal(Convert.ToHexString(Hex(
            "BF" +
            "66 5F5F74797065 78 19 5265736F757263654E6F74466F756E64457863657074696F6E" +
            "67 6D657373616765 78 18 53747265616D206F7264657273206E6F7420666F756E642E" +
            "FF")), Convert.ToHexString(cbor));
    }

    [Theory]
    [InlineData( // DescribeStream
        """{"StreamDescription":{"StreamName":"orders","StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/orders","StreamStatus":"ACTIVE","StreamModeDetails":{"StreamMode":"PROVISIONED"},"Shards":[{"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211455"},"SequenceNumberRange":{"StartingSequenceNumber":"49590338271490256608559692538361571095921575989136588898"}}],"HasMoreShards":false,"RetentionPeriodHours":24,"StreamCreationTimestamp":1700000000.123,"EnhancedMonitoring":[{"ShardLevelMetrics":[]}],"EncryptionType":"NONE"}}""")]
    [InlineData( // DescribeStreamSummary, whole seconds
        """{"StreamDescriptionSummary":{"StreamName":"orders","StreamStatus":"ACTIVE","RetentionPeriodHours":24,"StreamCreationTimestamp":1700000000,"OpenShardCount":4,"ConsumerCount":0}}""")]
    [InlineData( // GetRecords, with child shards at the end of a shard
        """{"Records":[{"SequenceNumber":"4959","ApproximateArrivalTimestamp":1787036486.712,"Data":"aGVsbG8gd29ybGQ=","PartitionKey":"pk","EncryptionType":"NONE"}],"MillisBehindLatest":1234,"ChildShards":[{"ShardId":"shardId-000000000001","ParentShards":["shardId-000000000000"],"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"}}]}""")]
    [InlineData( // GetShardIterator
        """{"ShardIterator":"AAAAAAAAAAGJ"}""")]
    [InlineData( // RegisterStreamConsumer
        """{"Consumer":{"ConsumerName":"app","ConsumerARN":"arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/app:1700000000","ConsumerStatus":"CREATING","ConsumerCreationTimestamp":1700000000.001}}""")]
    [InlineData( // DescribeAccountSettings
        """{"MinimumThroughputBillingCommitment":{"Status":"ENABLED","StartedAt":1700000000,"EarliestAllowedEndAt":1731536000.5}}""")]
    [InlineData( // PutRecords, one record refused
        """{"FailedRecordCount":1,"Records":[{"SequenceNumber":"4959","ShardId":"shardId-000000000000"},{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard shardId-000000000000."}],"EncryptionType":"NONE"}""")]
    public void Responses_survive_a_round_trip_through_cbor(string json)
    {
        var cbor = KinesisCbor.FromJson(Encoding.UTF8.GetBytes(json));

        Assert.Equal(json, Encoding.UTF8.GetString(KinesisCbor.ToJson(cbor)));
    }

    [Fact]
    public void Buffer_writer_overloads_write_the_same_bytes()
    {
        var cbor = Hex(JavaV2GetShardIteratorAtTimestamp);
        var json = new ArrayBufferWriter<byte>();
        var back = new ArrayBufferWriter<byte>(1);

        KinesisCbor.ToJson(cbor, json);
        KinesisCbor.FromJson(json.WrittenSpan, back);

        Assert.Equal(KinesisCbor.ToJson(cbor), json.WrittenSpan.ToArray());
        Assert.Equal(cbor, back.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData("C1 1B 000001A013ACCC38", "1787036486.712")]   // Java SDKs: tag 1 over integer milliseconds
    [InlineData("1B 000001A013ACCC38", "1787036486.712")]      // kinesis-mock: untagged integer milliseconds
    [InlineData("C1 FB 427A013ACCC38800", "1787036486.7125")]  // LocalStack's patched cbor2: float milliseconds
    [InlineData("C1 1A 6A840346", "1787036486")]               // RFC 8949: integer seconds
    [InlineData("C1 FB 41DAA100D1AD9168", "1787036486.712")]   // RFC 8949: float seconds
    [InlineData("C1 3B 000000E8D4A51000", "-1000000000.001")]  // before the epoch, in milliseconds
    [InlineData("C1 F9 3C00", "1")]                            // half-precision seconds
    [InlineData("C1 00", "0")]
    [InlineData("00", "0")]
    public void Timestamps_in_either_unit_become_epoch_seconds(string timestamp, string seconds)
    {
        var cbor = Hex("A1 69 54696D657374616D70" + timestamp); // {"Timestamp": …}

        Assert.Equal($$"""{"Timestamp":{{seconds}}}""", ToJson(cbor));
    }

    [Fact]
    public void Tag_1_outside_a_timestamp_member_is_still_a_timestamp_but_plain_numbers_are_left_alone()
    {
        var cbor = Hex(
            "A2" +
            "72 4D696C6C6973426568696E644C6174657374 1B 000001A013ACCC38" + // "MillisBehindLatest": 1787036486712
            "61 74 C1 1B 000001A013ACCC38");                                // "t": 1(1787036486712)

        Assert.Equal("""{"MillisBehindLatest":1787036486712,"t":1787036486.712}""", ToJson(cbor));
    }

    [Fact]
    public void Every_timestamp_member_of_the_kinesis_model_converts_both_ways()
    {
        foreach (var name in KinesisCbor.TimestampMemberNames)
        {
            var json = $$"""{"{{name}}":1700000000.25}""";
            var cbor = KinesisCbor.FromJson(Encoding.UTF8.GetBytes(json));
            var reader = new CborReader(cbor);
            reader.ReadStartMap();
            Assert.Equal(name, reader.ReadTextString());
            Assert.Equal(CborTag.UnixTimeSeconds, reader.ReadTag());
            Assert.Equal(1700000000250L, reader.ReadInt64());

            Assert.Equal(json, Encoding.UTF8.GetString(KinesisCbor.ToJson(cbor)));
        }
    }

    [Theory]
    [InlineData("1506440188.749", "0000015EBED5134D")] // decimal arithmetic: no ...748.9999 rounding down
    [InlineData("1.5E9", "0000015D3EF79800")]
    [InlineData("1787036486.7129", "000001A013ACCC38")] // truncated toward zero, as the SDKs' JSON path does
    public void Response_timestamps_become_tag_1_over_integer_milliseconds(string seconds, string milliseconds)
    {
        var cbor = KinesisCbor.FromJson(Encoding.UTF8.GetBytes($$"""{"Timestamp":{{seconds}}}"""));

        Assert.Equal("BF69" + "54696D657374616D70" + "C11B" + milliseconds + "FF", Convert.ToHexString(cbor));
    }

    [Fact]
    public void Chunked_strings_and_definite_and_indefinite_containers_are_read_alike()
    {
        var cbor = Hex(
            "A3" +                                  // definite map of three members
            "7F 62 4461 62 7461 FF" +               //   "Da" "ta" (a chunked key): "Data"
            "5F 42 0001 43 FEFF00 FF" +             //   h'0001' h'FEFF00' (a chunked byte string)
            "6C 506172746974696F6E4B6579" +         //   "PartitionKey":
            "7F 62 706B 62 2D31 FF" +               //   "pk" "-1" (a chunked text string)
            "61 61" +                               //   "a":
            "82 9F 01 FF BF FF");                   //   [ [1] (indefinite), {} (indefinite) ] (definite)

        Assert.Equal("""{"Data":"AAH+/wA=","PartitionKey":"pk-1","a":[[1],{}]}""", ToJson(cbor));
    }

    [Theory]
    [InlineData("00", "0")]
    [InlineData("17", "23")]
    [InlineData("18 18", "24")]
    [InlineData("18 FF", "255")]
    [InlineData("19 0100", "256")]
    [InlineData("19 FFFF", "65535")]
    [InlineData("1A 00010000", "65536")]
    [InlineData("1A FFFFFFFF", "4294967295")]
    [InlineData("1B 0000000100000000", "4294967296")]
    [InlineData("1B 0000000080000000", "2147483648")] // Jackson: a long outside the int range always takes 8 bytes
    [InlineData("1B 0000000000000005", "5")]          // non-minimal encodings are accepted
    [InlineData("1B FFFFFFFFFFFFFFFF", "18446744073709551615")]
    [InlineData("20", "-1")]
    [InlineData("37", "-24")]
    [InlineData("38 18", "-25")]
    [InlineData("38 FF", "-256")]
    [InlineData("39 0100", "-257")]
    [InlineData("3A 00010000", "-65537")]
    [InlineData("3B 0000000100000000", "-4294967297")]
    [InlineData("3B 7FFFFFFFFFFFFFFF", "-9223372036854775808")]
    [InlineData("3B FFFFFFFFFFFFFFFF", "-18446744073709551616")]
    [InlineData("C2 49 010000000000000000", "18446744073709551616")]
    [InlineData("C3 49 010000000000000000", "-18446744073709551617")]
    [InlineData("F9 3E00", "1.5")]
    [InlineData("F9 8000", "-0")]
    [InlineData("FA 3FC00000", "1.5")]
    [InlineData("FA 3F8CCCCD", "1.1")]
    [InlineData("FB 3FF199999999999A", "1.1")]
    [InlineData("FB 400921FB54442D18", "3.141592653589793")]
    [InlineData("F4", "false")]
    [InlineData("F5", "true")]
    [InlineData("F6", "null")]
    public void Every_numeric_width_and_simple_value_carries_over(string value, string json)
    {
        Assert.Equal($$"""{"n":{{json}}}""", ToJson(Hex("A1 61 6E" + value)));
    }

    [Fact]
    public void Json_numbers_become_cbor_integers_and_shortest_exact_floats()
    {
        var cbor = KinesisCbor.FromJson(
            """{"i":0,"j":-1,"k":4294967296,"l":18446744073709551615,"m":-9223372036854775808,"b":18446744073709551616,"f":1.5,"g":0.1,"z":true,"y":null}"""u8);

        Assert.Equal(Convert.ToHexString(Hex(
            "BF" +
            "61 69 00" +
            "61 6A 20" +
            "61 6B 1B 0000000100000000" +
            "61 6C 1B FFFFFFFFFFFFFFFF" +
            "61 6D 3B 7FFFFFFFFFFFFFFF" +
            "61 62 C2 49 010000000000000000" +
            "61 66 F9 3E00" +               // 1.5 fits a half exactly
            "61 67 FB 3FB999999999999A" +   // 0.1 needs all 64 bits
            "61 7A F5" +
            "61 79 F6" +
            "FF")), Convert.ToHexString(cbor));
    }

    [Fact]
    public void Non_ascii_text_carries_over_both_ways()
    {
        var cbor = Hex(
            "A1" +
            "66 6E61C3AF7665" +                                 // "naïve":
            "72 E697A5E69CACE8AA9E20E29C9320F09F9A80");         // "日本語 ✓ 🚀"

        var json = KinesisCbor.ToJson(cbor);

        // Characters outside the Basic Multilingual Plane are escaped by System.Text.Json's encoders, losslessly.
        Assert.Equal("""{"naïve":"日本語 ✓ \uD83D\uDE80"}""", Encoding.UTF8.GetString(json));
        Assert.Equal(Convert.ToHexString(Hex("BF" + "66 6E61C3AF7665" + "72 E697A5E69CACE8AA9E20E29C9320F09F9A80" + "FF")),
            Convert.ToHexString(KinesisCbor.FromJson(json)));
        Assert.Equal("BF61736A636166C3A920F09F9A80FF",
            Convert.ToHexString(KinesisCbor.FromJson("""{"s":"caf\u00e9 \ud83d\ude80"}"""u8)));
    }

    [Fact]
    public void Escaped_base64_and_null_blobs_are_accepted_from_json()
    {
        var cbor = KinesisCbor.FromJson("""{"Records":[{"Data":"AAH\u002B/w=="},{"Data":null}]}"""u8);

        Assert.Equal("BF675265636F726473" + "9F" + "BF644461746144" + "0001FEFF" + "FF" + "BF6444617461F6FF" + "FF" + "FF",
            Convert.ToHexString(cbor));
    }

    [Fact]
    public void Empty_body_is_refused()
    {
        var error = Assert.Throws<KinesisSerializationException>(() => KinesisCbor.ToJson(ReadOnlyMemory<byte>.Empty));

        Assert.Equal("The CBOR body is empty; a Kinesis request is a CBOR map.", error.Message);
    }

    [Fact]
    public void Every_truncation_of_a_request_is_refused()
    {
        var cbor = Hex(JavaV2PutRecords);
        for (var length = 1; length < cbor.Length; length++)
        {
            Assert.Throws<KinesisSerializationException>(() => KinesisCbor.ToJson(cbor.AsMemory(0, length)));
        }
    }

    [Theory]
    [InlineData("BF", "Malformed CBOR at byte 1: ")]                      // a map that never ends
    [InlineData("BF 67 5265636F7264", "Malformed CBOR at byte 1: ")]     // "Records" cut after five of seven bytes
    [InlineData("BF 64 44617461 1B 0000", "Malformed CBOR at byte 6: ")] // an 8-byte integer cut after two
    public void Truncated_body_is_refused_at_the_byte_where_it_ends(string cbor, string prefix)
    {
        var error = Assert.Throws<KinesisSerializationException>(() => KinesisCbor.ToJson(Hex(cbor)));

        Assert.StartsWith(prefix, error.Message, StringComparison.Ordinal);
        Assert.IsType<CborContentException>(error.InnerException);
    }

    [Theory]
    [InlineData("A1 01 02", "Map keys must be text strings (member names), but the key at byte 1 is an unsigned integer.")]
    [InlineData("BF 44 44617461 00 FF", "Map keys must be text strings (member names), but the key at byte 1 is a byte string.")]
    [InlineData("A1 A0 00", "Map keys must be text strings (member names), but the key at byte 1 is a map.")]
    [InlineData("A0 00", "The CBOR body has 1 trailing byte(s) after its map, from byte 1.")]
    [InlineData("BF FF A0 A0", "The CBOR body has 2 trailing byte(s) after its map, from byte 2.")]
    [InlineData("80", "The CBOR body must be a map (a Kinesis request structure), but it is an array.")]
    [InlineData("66 6F7264657273", "The CBOR body must be a map (a Kinesis request structure), but it is a text string.")]
    [InlineData("A1 61 61 F7", "The CBOR value 'undefined' at byte 3 has no JSON equivalent; Kinesis clients send null or leave the member out.")]
    [InlineData("A1 61 61 F0", "The CBOR simple value 16 at byte 3 is not supported.")]
    [InlineData("A1 61 61 C0 60", "CBOR tag 0 at byte 3 is not supported; Kinesis clients only tag timestamps (tag 1).")]
    [InlineData("A1 61 61 D8 18 40", "CBOR tag 24 at byte 3 is not supported; Kinesis clients only tag timestamps (tag 1).")]
    [InlineData("A1 69 54696D657374616D70 C1 60", "Tag 1 (epoch date/time) at byte 11 must wrap an integer or a floating-point number, but it wraps a text string.")]
    [InlineData("A1 61 61 C1 C1 00", "Tag 1 (epoch date/time) at byte 3 must wrap an integer or a floating-point number, but it wraps a tagged value.")]
    [InlineData("A1 69 54696D657374616D70 C1 F9 7C00", "The timestamp (tag 1) at byte 12 is out of range.")]
    [InlineData("A1 69 54696D657374616D70 1B FFFFFFFFFFFFFFFF", "The timestamp (Timestamp) at byte 11 is out of range.")]
    [InlineData("A1 61 61 F9 7E00", "The CBOR number NaN at byte 3 has no JSON equivalent.")]
    [InlineData("A1 61 61 FB 7FF0000000000000", "The CBOR number Infinity at byte 3 has no JSON equivalent.")]
    public void Malformed_body_is_refused_with_what_and_where(string cbor, string message)
    {
        var error = Assert.Throws<KinesisSerializationException>(() => KinesisCbor.ToJson(Hex(cbor)));

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("A1 61 6B 62 C328", "Malformed CBOR at byte 3: ", "UTF-8")]          // invalid UTF-8 in a value
    [InlineData("A1 62 C328 00", "Malformed CBOR at byte 1: ", "UTF-8")]             // invalid UTF-8 in a key
    [InlineData("A1 61 6B 7F 61 61 61 FF FF", "Malformed CBOR at byte 3: ", "UTF-8")] // an invalid chunk of a chunked text string
    [InlineData("A2 61 61 01 61 61 02", "Malformed CBOR at byte 4: ", "duplicate keys")]
    [InlineData("A1 61 61 FF", "Malformed CBOR at byte 3: ", "break")]
    [InlineData("A1 61 61 F8 14", "Malformed CBOR at byte 3: ", "simple values")]      // false, encoded in two bytes
    [InlineData("A1 61 61 5F 61 61 FF", "Malformed CBOR at byte 3: ", "Indefinite-length")] // a text chunk in a byte string
    public void Invalid_encodings_are_refused_as_malformed(string cbor, string prefix, string detail)
    {
        var error = Assert.Throws<KinesisSerializationException>(() => KinesisCbor.ToJson(Hex(cbor)));

        Assert.StartsWith(prefix, error.Message, StringComparison.Ordinal);
        Assert.Contains(detail, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Nesting_is_accepted_to_64_levels_and_refused_deeper()
    {
        // The root map is level 1; 63 arrays inside it reach level 64.
        var deepest = Hex("A1 61 61" + string.Concat(Enumerable.Repeat("81", 63)) + "00");
        var tooDeep = Hex("A1 61 61" + string.Concat(Enumerable.Repeat("81", 64)) + "00");

        Assert.Equal("{\"a\":" + new string('[', 63) + "0" + new string(']', 63) + "}", ToJson(deepest));
        var error = Assert.Throws<KinesisSerializationException>(() => KinesisCbor.ToJson(tooDeep));
        Assert.Equal("The CBOR body nests maps and arrays deeper than 64 levels, at byte 66.", error.Message);
    }

    [Theory]
    [InlineData("""{"Records":[{"Data":"not base64!"}]}""", "The blob member Data at byte 20 is not valid base64.")]
    [InlineData("""{"Data":"AAH"}""", "The blob member Data at byte 8 is not valid base64.")]
    [InlineData("""{"Data":"A\u0041="}""", "The blob member Data at byte 8 is not valid base64.")]
    [InlineData("""{"Timestamp":1e30}""", "The timestamp member Timestamp at byte 13 is out of range.")]
    [InlineData("""{"n":1e400}""", "The JSON number 1e400 at byte 5 is out of the range of a double.")]
    [InlineData("""[{"Data":""}]""", "The JSON body must be an object (a Kinesis structure), but it starts with StartArray.")]
    [InlineData("""{"s":"\ud800"}""", "The JSON string at byte 5 is not valid Unicode: ")]
    public void Json_that_cannot_become_cbor_is_refused_with_what_and_where(string json, string message)
    {
        var error = Assert.Throws<KinesisSerializationException>(() => KinesisCbor.FromJson(Encoding.UTF8.GetBytes(json)));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("""{"a":""")]
    [InlineData("""{"a":1}{}""")]
    [InlineData("""{"a":1,}""")]
    public void Malformed_json_is_refused(string json)
    {
        var error = Assert.Throws<KinesisSerializationException>(() => KinesisCbor.FromJson(Encoding.UTF8.GetBytes(json)));

        Assert.StartsWith("Malformed JSON: ", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<JsonException>(error.InnerException);
    }

    [Fact]
    public void Json_nested_deeper_than_64_levels_is_refused()
    {
        var json = "{\"a\":" + new string('[', 64) + new string(']', 64) + "}";

        var error = Assert.Throws<KinesisSerializationException>(() => KinesisCbor.FromJson(Encoding.UTF8.GetBytes(json)));

        Assert.StartsWith("Malformed JSON: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("64", error.Message, StringComparison.Ordinal);
    }

    private static string ToJson(string hex) => ToJson(Hex(hex));

    private static string ToJson(byte[] cbor) => Encoding.UTF8.GetString(KinesisCbor.ToJson(cbor));

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
