using System.Buffers.Binary;

namespace Sluice.Schemas;

/// <summary>
/// Confluent's wire format for a record serialised against a registered schema: magic byte 0, the schema id as a
/// 4-byte big-endian integer, then the payload. A plain JSON record never starts with a 0 byte, so the first byte
/// tells the two apart.
/// </summary>
public static class ConfluentWire
{
    public const byte MagicByte = 0;

    public const int HeaderLength = 5;

    /// <summary>True when <paramref name="record"/> claims the wire format: its first byte is the magic byte (it may still be too short to hold a header).</summary>
    public static bool ClaimsWireFormat(ReadOnlySpan<byte> record) => !record.IsEmpty && record[0] == MagicByte;

    /// <summary>Reads the header: false when the record is shorter than it or does not start with the magic byte.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> record, out int schemaId, out ReadOnlySpan<byte> payload)
    {
        if (record.Length < HeaderLength || record[0] != MagicByte)
        {
            schemaId = 0;
            payload = default;
            return false;
        }

        schemaId = BinaryPrimitives.ReadInt32BigEndian(record[1..]);
        payload = record[HeaderLength..];
        return true;
    }

    /// <summary>Writes the header for <paramref name="schemaId"/> into the first <see cref="HeaderLength"/> bytes of <paramref name="destination"/>.</summary>
    public static void WriteHeader(Span<byte> destination, int schemaId)
    {
        destination[0] = MagicByte;
        BinaryPrimitives.WriteInt32BigEndian(destination[1..], schemaId);
    }
}
