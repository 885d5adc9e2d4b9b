using Sluice.Schemas;

namespace Sluice.Gateway.Schemas;

/// <summary>
/// The decision for one record of a stream bound to a subject. A record whose first byte is 0 claims Confluent's wire
/// format (a plain JSON text never starts with a 0 byte): its header's schema id must be a live version of the subject
/// and its payload valid against that version. Any other record is plain UTF-8 JSON, checked against the latest live
/// version. Allocates nothing for a valid record.
/// </summary>
public static class RecordSchemaCheck
{
    /// <summary>The message of a record that starts with the magic byte but is too short to hold the header.</summary>
    public static readonly string TruncatedHeader =
        $"truncated Confluent wire header: a record whose first byte is {ConfluentWire.MagicByte} is in Confluent's wire format and starts with "
        + $"{ConfluentWire.HeaderLength} bytes (the magic byte and a 4-byte big-endian schema id)";

    /// <summary>Null when <paramref name="record"/> may be written to a stream bound to <paramref name="snapshot"/>'s subject, else why not.</summary>
    public static string? Check(SubjectSnapshot snapshot, ReadOnlySpan<byte> record)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Latest is not { } latest)
        {
            return snapshot.NoLiveVersion;
        }

        if (!ConfluentWire.ClaimsWireFormat(record))
        {
            return latest.CheckJson(record);
        }

        if (!ConfluentWire.TryReadHeader(record, out var schemaId, out var payload))
        {
            return TruncatedHeader;
        }

        return snapshot.TryGetVersion(schemaId, out var version) ? version.CheckPayload(payload) : snapshot.NotAVersion(schemaId);
    }
}
