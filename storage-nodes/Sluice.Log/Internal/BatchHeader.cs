using System.Buffers.Binary;

namespace Sluice.Log.Internal;

/// <summary>
/// The fixed header in front of every record batch in a segment file. All fields little-endian.
/// <code>
///  0               8               12  13  14      16              20              24
///  +---------------+---------------+---+---+-------+---------------+---------------+
///  | BaseOffset    | BatchLength   |Mag|rsv| rsv   | LeaderEpoch   | Crc32C        |
///  | i64           | i32           |u8 |u8 | u16   | i32           | u32           |
///  +---+-----------+---------------+---+---+-------+---------------+---------------+
///  24  25          28              32                              40
///  |Att| rsv (3)   | RecordCount   | FirstTimestamp (unix ms)      |
///  |u8 |           | i32           | i64                           |
///  +---+-----------+---------------+-------------------------------+
///  40                              48                              56      58      60              64
///  | MaxTimestamp (unix ms)        | ProducerId (-1 = none)        |PrdEpch| rsv   | BaseSequence  |
///  | i64                           | i64                           | i16   | i16   | i32 (-1 none) |
///  +-------------------------------+-------------------------------+-------+-------+---------------+
///  64 ... BatchLength: RecordCount records, each a <see cref="RecordHeader"/> followed by key and value; in an
///  encrypted batch (Attributes bit 0, <see cref="EncryptedAttribute"/>) a <see cref="BatchEnvelope"/> comes first
///  and the records after it are AES-256-GCM ciphertext.
/// </code>
/// The CRC covers bytes [24, BatchLength): everything from Attributes to the end of the last record. Like Kafka, it
/// leaves out BaseOffset and BatchLength (framing, checked by the recovery scan against the expected offset and the
/// file length), Magic (which decides how the rest is checked at all) and LeaderEpoch (which a new leader may stamp
/// on replicated batches without recomputing the checksum).
/// </summary>
internal readonly record struct BatchHeader(
    long BaseOffset,
    int BatchLength,
    int LeaderEpoch,
    uint Crc,
    byte Attributes,
    int RecordCount,
    long FirstTimestamp,
    long MaxTimestamp,
    long ProducerId,
    short ProducerEpoch,
    int BaseSequence)
{
    /// <summary>Bytes in the header; the first record starts here.</summary>
    public const int Size = 64;

    /// <summary>Format version written in the Magic byte. Bump it, and branch on it when reading, to change the layout.</summary>
    public const byte CurrentMagic = 1;

    /// <summary>Start of the bytes covered by the CRC.</summary>
    public const int CrcCoverageStart = 24;

    /// <summary>Attributes bit: the records are sealed (<see cref="BatchEnvelope"/>).</summary>
    public const byte EncryptedAttribute = 0x01;

    /// <summary>Every attribute bit this version knows; a batch with another one set is not read as data.</summary>
    public const byte KnownAttributes = EncryptedAttribute;

    /// <summary>Marker for "no idempotent producer" in ProducerId and BaseSequence.</summary>
    public const long NoProducerId = -1;

    /// <summary>Marker for "no producer epoch".</summary>
    public const short NoProducerEpoch = -1;

    /// <summary>Marker for "no sequence number".</summary>
    public const int NoSequence = -1;

    private const int BaseOffsetAt = 0;
    private const int BatchLengthAt = 8;
    private const int MagicAt = 12;
    private const int LeaderEpochAt = 16;
    private const int CrcAt = 20;
    private const int AttributesAt = 24;
    private const int RecordCountAt = 28;
    private const int FirstTimestampAt = 32;
    private const int MaxTimestampAt = 40;
    private const int ProducerIdAt = 48;
    private const int ProducerEpochAt = 56;
    private const int BaseSequenceAt = 60;

    /// <summary>One past the last offset in the batch.</summary>
    public long NextOffset => BaseOffset + RecordCount;

    /// <summary>True when the records are sealed behind a <see cref="BatchEnvelope"/>.</summary>
    public bool IsEncrypted => (Attributes & EncryptedAttribute) != 0;

    /// <summary>Where the records start: right after the header, or after the envelope of an encrypted batch.</summary>
    public int RecordsStart => BatchEnvelope.RecordsStart(IsEncrypted);

    /// <summary>
    /// Writes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>. The CRC written is
    /// <see cref="Crc"/>; use <see cref="StampCrc"/> once the records behind the header are in place.
    /// </summary>
    public void Write(Span<byte> destination)
    {
        var header = destination[..Size];
        header.Clear(); // reserved bytes are zero so a future version can give them meaning
        BinaryPrimitives.WriteInt64LittleEndian(header[BaseOffsetAt..], BaseOffset);
        BinaryPrimitives.WriteInt32LittleEndian(header[BatchLengthAt..], BatchLength);
        header[MagicAt] = CurrentMagic;
        BinaryPrimitives.WriteInt32LittleEndian(header[LeaderEpochAt..], LeaderEpoch);
        BinaryPrimitives.WriteUInt32LittleEndian(header[CrcAt..], Crc);
        header[AttributesAt] = Attributes;
        BinaryPrimitives.WriteInt32LittleEndian(header[RecordCountAt..], RecordCount);
        BinaryPrimitives.WriteInt64LittleEndian(header[FirstTimestampAt..], FirstTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(header[MaxTimestampAt..], MaxTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(header[ProducerIdAt..], ProducerId);
        BinaryPrimitives.WriteInt16LittleEndian(header[ProducerEpochAt..], ProducerEpoch);
        BinaryPrimitives.WriteInt32LittleEndian(header[BaseSequenceAt..], BaseSequence);
    }

    /// <summary>Parses a header. Checks nothing; see <see cref="Validate"/>.</summary>
    public static BatchHeader Read(ReadOnlySpan<byte> source)
    {
        var header = source[..Size];
        return new BatchHeader(
            BaseOffset: BinaryPrimitives.ReadInt64LittleEndian(header[BaseOffsetAt..]),
            BatchLength: BinaryPrimitives.ReadInt32LittleEndian(header[BatchLengthAt..]),
            LeaderEpoch: BinaryPrimitives.ReadInt32LittleEndian(header[LeaderEpochAt..]),
            Crc: BinaryPrimitives.ReadUInt32LittleEndian(header[CrcAt..]),
            Attributes: header[AttributesAt],
            RecordCount: BinaryPrimitives.ReadInt32LittleEndian(header[RecordCountAt..]),
            FirstTimestamp: BinaryPrimitives.ReadInt64LittleEndian(header[FirstTimestampAt..]),
            MaxTimestamp: BinaryPrimitives.ReadInt64LittleEndian(header[MaxTimestampAt..]),
            ProducerId: BinaryPrimitives.ReadInt64LittleEndian(header[ProducerIdAt..]),
            ProducerEpoch: BinaryPrimitives.ReadInt16LittleEndian(header[ProducerEpochAt..]),
            BaseSequence: BinaryPrimitives.ReadInt32LittleEndian(header[BaseSequenceAt..]))
        {
            Magic = header[MagicAt],
        };
    }

    /// <summary>The format version as read from disk (<see cref="CurrentMagic"/> for headers built in memory).</summary>
    public byte Magic { get; init; } = CurrentMagic;

    /// <summary>
    /// Checks what can be checked without the body: the version, the framing against the bytes that exist and the
    /// offset the batch must have. Returns null when plausible, otherwise why not (for the recovery log line).
    /// </summary>
    public string? Validate(long expectedBaseOffset, long bytesAvailable)
    {
        if (Magic != CurrentMagic)
        {
            return $"unknown magic {Magic}";
        }

        if ((Attributes & ~KnownAttributes) != 0)
        {
            return $"unknown attributes 0x{Attributes:x2}";
        }

        var recordsStart = RecordsStart;
        if (BatchLength < recordsStart + RecordHeader.Size || BatchLength > bytesAvailable)
        {
            return $"batch length {BatchLength} outside [{recordsStart + RecordHeader.Size}, {bytesAvailable}]";
        }

        if (BaseOffset != expectedBaseOffset)
        {
            return $"base offset {BaseOffset} where {expectedBaseOffset} was expected";
        }

        // Each record takes at least a record header, which bounds the count without reading the body.
        if (RecordCount <= 0 || RecordCount > (BatchLength - recordsStart) / RecordHeader.Size)
        {
            return $"record count {RecordCount} impossible in {BatchLength} bytes";
        }

        return FirstTimestamp > MaxTimestamp ? "first timestamp after max timestamp" : null;
    }

    /// <summary>Computes the CRC over <paramref name="batch"/> (a whole batch, header first) and writes it into the header.</summary>
    public static void StampCrc(Span<byte> batch) =>
        BinaryPrimitives.WriteUInt32LittleEndian(batch[CrcAt..], Crc32C.Compute(batch[CrcCoverageStart..]));

    /// <summary>True when the CRC stored in <paramref name="batch"/> (a whole batch) matches its contents.</summary>
    public static bool HasValidCrc(ReadOnlySpan<byte> batch) =>
        BinaryPrimitives.ReadUInt32LittleEndian(batch[CrcAt..]) == Crc32C.Compute(batch[CrcCoverageStart..]);
}
