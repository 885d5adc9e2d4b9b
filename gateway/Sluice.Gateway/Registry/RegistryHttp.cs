using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Sluice.Metadata;

namespace Sluice.Gateway.Registry;

/// <summary>
/// The wire details Confluent's clients depend on: the media type of every answer, the request media types accepted, JSON without
/// the fields Confluent leaves out when empty, path values and the <c>version</c> spelling (<c>latest</c>, <c>-1</c> or 1..2^31-1).
/// </summary>
public static class RegistryHttp
{
    /// <summary>What every answer is, successes and errors alike.</summary>
    public const string MediaType = "application/vnd.schemaregistry.v1+json";

    /// <summary>The request media types Confluent's registry accepts (a missing Content-Type is taken as JSON, as curl users expect).</summary>
    public static readonly IReadOnlyList<string> RequestMediaTypes =
        [MediaType, "application/vnd.schemaregistry+json", "application/json", "application/octet-stream"];

    /// <summary>Confluent's own error code for a body that is not JSON (it answers Jackson's parse errors with 400/400).</summary>
    public const int MalformedBodyErrorCode = 400;

    /// <summary>The error code (and status) of a request whose Content-Type is none of <see cref="RequestMediaTypes"/>.</summary>
    public const int UnsupportedMediaTypeErrorCode = 415;

    /// <summary>The largest request body read, in bytes: a schema is text, and Confluent's own limit is far below this.</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>The names the registry's JSON uses are on the DTOs; null fields are left out, as Confluent leaves out empty ones.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = null,
    };

    /// <summary>A 200 answer with the registry's media type.</summary>
    public static JsonHttpResult<T> Ok<T>(T value) => TypedResults.Json(value, JsonOptions, MediaType);

    /// <summary>An error answer: <c>{"error_code", "message"}</c> with the status the code implies.</summary>
    public static JsonHttpResult<RegistryErrorDto> Error(int errorCode, string message) =>
        TypedResults.Json(new RegistryErrorDto(errorCode, message), JsonOptions, MediaType, SchemaRegistryErrorCode.HttpStatus(errorCode));

    /// <summary>Reads a JSON body of one of <see cref="RequestMediaTypes"/>: 415 for another media type, 400 when it is not JSON of that shape.</summary>
    public static async Task<T> ReadBodyAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        var contentType = request.ContentType;
        if (!string.IsNullOrEmpty(contentType))
        {
            var mediaType = contentType.Split(';', 2)[0].Trim();
            if (!RequestMediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
            {
                throw new SchemaRegistryException(UnsupportedMediaTypeErrorCode, $"HTTP 415 Unsupported Media Type: {mediaType}");
            }
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw new SchemaRegistryException(MalformedBodyErrorCode, $"The request body is larger than {MaxBodyBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), JsonOptions)
                ?? throw new SchemaRegistryException(MalformedBodyErrorCode, "The request body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new SchemaRegistryException(MalformedBodyErrorCode, $"Unrecognized or malformed JSON body: {ex.Message}");
        }
    }

    /// <summary>
    /// The subject a path segment names. Kestrel decodes every escape of a path but <c>%2F</c> (so that routing is not fooled),
    /// and Confluent's clients escape a <c>/</c> in a subject name as <c>%2F</c>: that one is undone here.
    /// </summary>
    public static string Subject(string segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        return segment.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A version path segment: null for <c>latest</c> (or <c>-1</c>), else 1..2^31-1; 42202 otherwise.</summary>
    public static int? Version(string segment)
    {
        if (string.Equals(segment, "latest", StringComparison.OrdinalIgnoreCase) || segment == "-1")
        {
            return null;
        }

        return int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version >= 1
            ? version
            : throw SchemaRegistryException.InvalidVersion(segment);
    }

    /// <summary>A query flag (<c>?deleted=true</c>): true only for <c>true</c> (any case), as Confluent's Jersey reads booleans.</summary>
    public static bool Flag(string? value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>A schema id path segment: a positive integer, else the schema is not found (no id has that spelling).</summary>
    public static int SchemaId(string segment) =>
        int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id >= 1 ? id : throw SchemaRegistryException.SchemaNotFound();

    /// <summary>Writes a schema's text as the whole answer (the <c>/schema</c> endpoints), with the registry's media type.</summary>
    public static ContentHttpResult Raw(string schema) => TypedResults.Text(schema, MediaType, Encoding.UTF8);
}
