using System.Text;
using System.Text.Json;
using Sluice.Core;
using Sluice.Schemas;

namespace Sluice.Gateway.Schemas;

/// <summary>
/// Decodes records for consumers that ask to see them as JSON, on every face that offers it (REST GetRecords
/// <c>?decode=true</c>, gRPC GetRecords <c>decode</c>). A wire-format record is decoded through the tenant's schema with
/// the id in its header, whichever subject it is registered under (and whether or not the stream is bound: records
/// written before a binding changed decode too); a plain JSON record decodes as itself. A record that cannot be decoded
/// gets the reason instead: decoding never fails a read.
/// </summary>
public sealed class RecordDecoder(SchemaCache schemas)
{
    /// <summary>The reason given for a record that is neither JSON nor in the wire format.</summary>
    public const string NotJson = "record is neither JSON nor in Confluent's wire format (magic byte 0, a 4-byte schema id, the payload)";

    /// <summary>Decodes each record of <paramref name="records"/> (data only), in order. Each distinct schema id is looked up once.</summary>
    public async Task<DecodedRecord[]> DecodeAsync(Guid tenantId, IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var decoded = new DecodedRecord[records.Count];
        Dictionary<int, (ParsedSchema? Schema, string? Error)>? resolved = null;
        for (var i = 0; i < decoded.Length; i++)
        {
            var record = records[i];
            if (!ConfluentWire.ClaimsWireFormat(record.Span))
            {
                decoded[i] = DecodePlain(record.Span);
                continue;
            }

            if (!ConfluentWire.TryReadHeader(record.Span, out var schemaId, out _))
            {
                decoded[i] = DecodedRecord.Failed(RecordSchemaCheck.TruncatedHeader);
                continue;
            }

            resolved ??= [];
            if (!resolved.TryGetValue(schemaId, out var schema))
            {
                schema = await ResolveAsync(tenantId, schemaId, cancellationToken);
                resolved.Add(schemaId, schema);
            }

            decoded[i] = schema.Schema is { } parsed
                ? DecodeWire(parsed, schemaId, record.Span[ConfluentWire.HeaderLength..])
                : DecodedRecord.Failed(schema.Error!, schemaId);
        }

        return decoded;
    }

    private async Task<(ParsedSchema? Schema, string? Error)> ResolveAsync(Guid tenantId, int schemaId, CancellationToken cancellationToken)
    {
        try
        {
            var (schema, unusable) = await schemas.GetSchemaAsync(tenantId, schemaId, cancellationToken);
            return schema is not null ? (schema, null)
                : unusable is not null ? (null, $"schema id {schemaId} cannot be used to decode: {unusable}")
                : (null, $"schema id {schemaId} is not a schema of this tenant's registry");
        }
        catch (SluiceException ex) when (ex.Code == SluiceErrorCode.Unavailable)
        {
            return (null, $"schema id {schemaId} could not be read: the metadata store is unavailable; read again later to decode");
        }
    }

    private static DecodedRecord DecodeWire(ParsedSchema schema, int schemaId, ReadOnlySpan<byte> payload)
    {
        try
        {
            return new DecodedRecord(schema.DecodePayloadToJson(payload), schemaId, null);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException)
        {
            return DecodedRecord.Failed(
                $"record does not decode with schema id {schemaId} ({LiveSchemaVersion.FormatName(schema.Type)} '{schema.Name}'): {ex.Message}", schemaId);
        }
    }

    private static DecodedRecord DecodePlain(ReadOnlySpan<byte> record)
    {
        var reader = new Utf8JsonReader(record, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            while (reader.Read())
            {
            }
        }
        catch (JsonException)
        {
            return DecodedRecord.Failed(NotJson);
        }

        // An empty record reads no token at all and throws nothing on some inputs: it is no JSON value either.
        return reader.BytesConsumed == 0 || reader.TokenType == JsonTokenType.None
            ? DecodedRecord.Failed(NotJson)
            : new DecodedRecord(Encoding.UTF8.GetString(record), null, null);
    }
}
