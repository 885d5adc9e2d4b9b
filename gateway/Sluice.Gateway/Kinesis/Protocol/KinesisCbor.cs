using System.Collections.ObjectModel;
using System.Text;

namespace Sluice.Gateway.Kinesis.Protocol;

/// <summary>
/// The CBOR side of Kinesis' wire protocol (<c>Content-Type: application/x-amz-cbor-1.1</c>) as a
/// lossless bridge to the JSON protocol (<c>application/x-amz-json-1.1</c>) the Kinesis endpoint
/// speaks: <see cref="ToJson(ReadOnlyMemory{byte})"/> turns a CBOR request body into the JSON the
/// endpoint parses, <see cref="FromJson(ReadOnlySpan{byte})"/> turns the endpoint's JSON response
/// (errors included) into the CBOR the client parses.
/// </summary>
/// <remarks>
/// <para><b>Who sends CBOR.</b> The AWS SDK for Java, v1 and v2, and so the KCL (1.x on v1, 2.x/3.x
/// on v2), the Flink and Spark connectors and everything else built on them, talk CBOR to Kinesis
/// by default. v1 turns it off with <c>-Dcom.amazonaws.sdk.disableCbor</c> or
/// <c>AWS_CBOR_DISABLE</c>, v2 with <c>-Daws.cborEnabled=false</c> or <c>CBOR_ENABLED=false</c>
/// (<c>SdkSystemSetting.CBOR_ENABLED</c>).
/// The other SDKs (Python, Go, JavaScript, .NET, C++ and so the KPL) use JSON. This is AWS's legacy
/// "AWS CBOR" variant of <c>awsJson1_1</c>; the newer Smithy <c>rpcv2Cbor</c> protocol
/// (<c>Content-Type: application/cbor</c>, epoch-seconds doubles) is a different protocol that
/// Kinesis' model does not declare.</para>
/// <para><b>What the Java SDKs write.</b> Jackson's <c>CBORGenerator</c> underneath both SDKs
/// writes structures as indefinite-length maps (<c>0xBF … 0xFF</c>) and lists as indefinite-length
/// arrays (<c>0x9F … 0xFF</c>), member names as definite-length text strings, blobs
/// (<c>ByteBuffer</c>/<c>SdkBytes</c>) as definite-length byte strings, and a <c>long</c> outside the
/// <c>int</c> range in 8 bytes (<c>0x1B</c>/<c>0x3B</c>) even where 4 would do. Timestamps are tag 1
/// wrapping the epoch <em>milliseconds</em> as an integer, although RFC 8949 §3.4.2 says tag 1
/// counts seconds:
/// <list type="bullet">
/// <item><description>v2 <c>SdkCborGenerator.writeValue(Instant)</c>: <c>writeTag(1)</c>,
/// <c>writeNumber(instant.toEpochMilli())</c>
/// (github.com/aws/aws-sdk-java-v2, core/protocols/aws-cbor-protocol/…/cbor/internal/SdkCborGenerator.java);
/// <c>AwsCborProtocolFactory.getDefaultTimestampFormats()</c> maps the payload to
/// <c>UNIX_TIMESTAMP_MILLIS</c>: "CBOR uses epoch millis for timestamps rather than epoch seconds
/// with millisecond decimal precision like JSON protocols".</description></item>
/// <item><description>v1 <c>com.amazonaws.protocol.json.SdkCborGenerator.writeValue(Date, …)</c>:
/// <c>writeTag(1)</c>, <c>writeNumber(date.getTime())</c>.</description></item>
/// <item><description>Seen on the wire from an unmodified v2 <c>KinesisClient</c> calling
/// <c>GetShardIterator(AT_TIMESTAMP)</c>: <c>69 "Timestamp" C1 1B 000001A013ACCC38</c>, i.e. tag 1
/// over 1787036486712 ms (github.com/floci-io/floci issue 2368).</description></item>
/// <item><description>The spec violation is reported as github.com/aws/aws-sdk-java-v2 issue 4661
/// (open).</description></item>
/// </list></para>
/// <para><b>What the Java SDKs read.</b> Jackson's <c>CBORParser</c> skips tag 1 and yields the
/// bare number. v2 builds its JSON DOM with <c>JsonNodeParser</c>, whose value factory keeps a
/// number's text and a byte string as an embedded <c>byte[]</c>; a timestamp member is then parsed
/// by <c>DateUtils.parseUnixTimestampMillisInstant</c>, which is <c>Long.parseLong</c> of that text,
/// so anything but an integer fails (<c>NumberFormatException: For input string:
/// "1.603149588042E9"</c>, github.com/localstack/localstack issue 3134, where the reporter also saw
/// real Kinesis answer <c>"1603152823565"</c>). v1's <c>SimpleTypeCborUnmarshallers.DateCborUnmarshaller</c>
/// is <c>new Date(parser.getLongValue())</c>. A blob member is the byte string itself (v2
/// <c>JsonProtocolUnmarshaller.unmarshallSdkBytes</c> takes the embedded <c>byte[]</c>, and only
/// base64-decodes a text string; v1 <c>getBinaryValue()</c>). Errors are read from the same
/// <c>__type</c> and <c>message</c> members as in JSON.</para>
/// <para><b>What the emulators do.</b> LocalStack encodes CBOR timestamps as
/// <c>unixtimestampmillis</c> under tag 1 (localstack pull requests 6791 and 11286) and
/// reads requests' tag 1 as milliseconds (pull requests 11071 and 11133: "AWS does not properly
/// implement the CBOR spec when it comes to timestamp handling"); its blobs are raw byte strings,
/// not base64 (pull request 11220). kinesis-mock (github.com/etspaceman/kinesis-mock,
/// instances/circe.scala and borer.scala) writes timestamps in CBOR as plain, untagged
/// <c>Long</c> epoch milliseconds and reads tag 1 or a plain <c>Long</c> as milliseconds; it turns
/// byte strings into base64 for its JSON model. Floci fixed the same 1000× bug in both directions
/// (floci pull request 2432). kinesalite does not accept CBOR requests at all (its users set
/// <c>AWS_CBOR_DISABLE</c>, localstack issue 87); it only answers an empty CBOR request with a
/// canned error, <c>BF 66 "__type" 76 "SerializationException" FF</c>, an indefinite-length map
/// like Jackson's.</para>
/// <para><b>Requests (CBOR → JSON).</b> Byte strings, definite or chunked, become base64 strings;
/// text strings, integers of every width (bignum tags 2 and 3 included), half/single/double floats,
/// booleans, null, maps with text keys and arrays, definite or indefinite, carry over. A timestamp —
/// tag 1 over a number, or an untagged number in a <see cref="TimestampMemberNames">timestamp
/// member</see> — becomes epoch <em>seconds</em>, the JSON protocol's unit (fractional for
/// milliseconds). Clients differ in the unit: the Java SDKs, LocalStack's patched botocore (integer
/// or, with microseconds, float) and kinesis-mock's conventions are milliseconds; an RFC 8949 encoder (Python's cbor2,
/// Smithy rpcv2 clients) sends seconds. A magnitude of at least <see cref="MillisecondsThreshold"/>
/// (10^11) is read as milliseconds, anything smaller as seconds: 10^11 ms is 1973-03-03 and 10^11 s
/// is the year 5138, and every instant a Kinesis call can mean (the service opened in 2013) lies
/// between the two. The body must be a single CBOR map (a request structure); refused, with a
/// <see cref="KinesisSerializationException"/> saying what and at which byte: malformed or
/// truncated CBOR, trailing bytes, non-text map keys, duplicate keys, invalid UTF-8, nesting deeper
/// than <see cref="MaxDepth"/>, undefined and other simple values, NaN and infinities (JSON has
/// none), and tags other than 1, 2 and 3.</para>
/// <para><b>Responses (JSON → CBOR).</b> Written as Jackson writes: indefinite-length maps and
/// arrays, definite-length strings. A <see cref="BlobMemberNames">blob member</see>'s base64 string
/// becomes a byte string; a timestamp member's epoch seconds become tag 1 over the integer epoch
/// milliseconds, truncated toward zero as the SDKs' JSON unmarshaller does
/// (<c>BigDecimal.scaleByPowerOfTen(3).longValue()</c>) — the only form both Java SDKs parse, and
/// the form they write themselves. Other strings, booleans and null carry over; a JSON integer
/// becomes a CBOR integer (a bignum beyond 64 bits), any other number a float in the shortest IEEE
/// width that holds the double exactly (Jackson reads all three widths).</para>
/// <para><b>Member names.</b> The JSON protocol has no schema on the wire, so members are known by
/// name, at any depth. That is exact for Kinesis: in its API model (botocore
/// data/kinesis/2013-12-02/service-2.json and the current model's type definitions) every member
/// with one of these names has that type, no response carries a map with user-chosen keys, and
/// the requests' maps with user-chosen keys (<c>Tags</c>) hold strings, which carry over as they
/// are.</para>
/// </remarks>
internal static partial class KinesisCbor
{
    /// <summary>The content type of Kinesis' CBOR protocol, as clients send it and as responses carry it.</summary>
    public const string ContentType = "application/x-amz-cbor-1.1";

    /// <summary>The deepest nesting of maps and arrays accepted (the root map is level 1), in either direction.</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// The smallest magnitude of a CBOR timestamp read as epoch milliseconds (10^11: 1973-03-03 as
    /// milliseconds, the year 5138 as seconds); smaller magnitudes are epoch seconds.
    /// </summary>
    public const double MillisecondsThreshold = 1e11;

    // The member sets, searched for every map key: arrays, so that the loops do not allocate enumerators.
    private static readonly string[] BlobMembers = ["Data"];

    private static readonly string[] TimestampMembers =
    [
        "ApproximateArrivalTimestamp",
        "StreamCreationTimestamp",
        "ConsumerCreationTimestamp",
        "ChannelCreationTimestamp",
        "Timestamp",
        "StartedAt",
        "EndedAt",
        "EarliestAllowedEndAt",
    ];

    /// <summary>
    /// The Kinesis API model's blob members (shape <c>Data</c>, a blob of at most 1 MiB): in
    /// <c>PutRecordInput</c>, <c>PutRecordsRequestEntry</c> and <c>Record</c> (GetRecords, SubscribeToShard).
    /// </summary>
    internal static readonly ReadOnlyCollection<string> BlobMemberNames = Array.AsReadOnly(BlobMembers);

    /// <summary>
    /// The Kinesis API model's timestamp members (shape <c>Timestamp</c>): <c>Record</c>'s
    /// ApproximateArrivalTimestamp; StreamCreationTimestamp of <c>StreamDescription</c>,
    /// <c>StreamDescriptionSummary</c>, <c>StreamSummary</c>, <c>ListShardsInput</c>,
    /// <c>ListStreamConsumersInput</c>, <c>StreamFilter</c> and the channel stream shapes;
    /// ConsumerCreationTimestamp of <c>Consumer</c> and <c>ConsumerDescription</c>;
    /// ChannelCreationTimestamp of <c>ChannelSummary</c> and <c>ChannelDescription</c>; Timestamp of
    /// <c>GetShardIteratorInput</c>, <c>ShardFilter</c> and <c>StartingPosition</c>; StartedAt, EndedAt
    /// and EarliestAllowedEndAt of <c>MinimumThroughputBillingCommitmentOutput</c>
    /// (DescribeAccountSettings, UpdateAccountSettings).
    /// </summary>
    internal static readonly ReadOnlyCollection<string> TimestampMemberNames = Array.AsReadOnly(TimestampMembers);

    private enum MemberKind
    {
        Other,
        Blob,
        Timestamp,
    }

    /// <summary>What a map key names: a blob member, a timestamp member, or anything else.</summary>
    private readonly record struct Member(MemberKind Kind, string Name)
    {
        public static Member Other { get; } = new(MemberKind.Other, "");
    }

    private static Member Classify(ReadOnlySpan<byte> utf8Name)
    {
        foreach (var name in TimestampMembers)
        {
            if (Ascii.Equals(utf8Name, name))
            {
                return new(MemberKind.Timestamp, name);
            }
        }
        foreach (var name in BlobMembers)
        {
            if (Ascii.Equals(utf8Name, name))
            {
                return new(MemberKind.Blob, name);
            }
        }
        return Member.Other;
    }

    private static Member Classify(ReadOnlySpan<char> name)
    {
        foreach (var candidate in TimestampMembers)
        {
            if (name.SequenceEqual(candidate))
            {
                return new(MemberKind.Timestamp, candidate);
            }
        }
        foreach (var candidate in BlobMembers)
        {
            if (name.SequenceEqual(candidate))
            {
                return new(MemberKind.Blob, candidate);
            }
        }
        return Member.Other;
    }

    /// <summary>True when a CBOR timestamp's magnitude marks it as epoch milliseconds rather than seconds.</summary>
    private static bool IsMilliseconds(double value) => value >= MillisecondsThreshold || value <= -MillisecondsThreshold;
}
