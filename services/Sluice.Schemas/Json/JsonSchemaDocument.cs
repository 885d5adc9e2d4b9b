using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Json.Schema;

namespace Sluice.Schemas.Json;

/// <summary>
/// A parsed JSON Schema (draft-04, draft-06, draft-07, 2019-09 or 2020-12; draft-04 as its draft-07 translation). The schema is built once, here, and evaluated for
/// every record the gateway checks; both evaluators are immutable, so one instance serves concurrent requests. A record
/// is first checked pass/fail by <see cref="JsonFastValidator"/> (JsonSchema.Net with flag output when the schema uses
/// keywords the fast path does not implement); only a failing one is evaluated again by JsonSchema.Net, which has the
/// last word and says where and why.
/// </summary>
public sealed class JsonSchemaDocument : ParsedSchema
{
    /// <summary>How many violations a message lists; a record that breaks many rules usually breaks them for one reason.</summary>
    private const int MaxReportedErrors = 3;

    private static readonly EvaluationOptions FlagOptions = new() { OutputFormat = OutputFormat.Flag };

    private static readonly EvaluationOptions ListOptions = new() { OutputFormat = OutputFormat.List };

    /// <summary>The same limits as JsonDocument's defaults, stated so the parse of a record never depends on ambient settings.</summary>
    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false, MaxDepth = 64 };

    private readonly JsonSchema _schema;

    /// <summary>The pass/fail fast path; null for a schema using keywords only JsonSchema.Net implements.</summary>
    private readonly JsonFastValidator? _fast;

    /// <param name="text">The schema as registered.</param>
    /// <param name="original">The parsed text, for the canonical form: a draft-04 schema is registered, compared for
    /// identity and served as written, not as its translation.</param>
    /// <param name="root">The schema that means what the text means, in <paramref name="draft"/>: the text itself,
    /// or the draft-07 translation of a draft-04 schema.</param>
    /// <param name="draft">The draft of <paramref name="root"/>.</param>
    /// <param name="schema"><paramref name="root"/> built by JsonSchema.Net.</param>
    /// <param name="index"><paramref name="root"/>'s subschemas and references.</param>
    internal JsonSchemaDocument(string text, JsonElement original, JsonElement root, JsonSchemaDraft draft, JsonSchema schema, JsonSchemaIndex index)
        : base(text)
    {
        Root = root;
        Draft = draft;
        Index = index;
        _schema = schema;
        _fast = JsonFastValidator.TryCreate(root, draft, index);
        Canonical = JsonCanonical.Sorted(original);
        Name = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String && title.GetString() is { Length: > 0 } name
            ? name
            : "JSON schema";
    }

    public override SchemaType Type => SchemaType.Json;

    /// <inheritdoc/>
    public override string Canonical { get; }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>
    /// The schema document as evaluated (a standalone clone: it needs no disposal and is safe to read from many
    /// threads): the text's own, or for a draft-04 schema its draft-07 translation.
    /// </summary>
    internal JsonElement Root { get; }

    /// <summary>The draft the schema's <c>$schema</c> names (draft-07 when it names none, and for draft-04, which is evaluated as its draft-07 translation).</summary>
    internal JsonSchemaDraft Draft { get; }

    /// <summary>The schema's subschemas, resources and references, for following local <c>$ref</c>s.</summary>
    internal JsonSchemaIndex Index { get; }

    /// <summary>Whether records are checked by the fast path (else by JsonSchema.Net alone); for tests.</summary>
    internal bool HasFastPath => _fast is not null;

    /// <summary>JsonSchema.Net's verdict alone, for tests that hold the fast path to it.</summary>
    internal bool IsValidByReference(JsonElement instance) => _schema.Evaluate(instance, FlagOptions).IsValid;

    /// <summary>The fast path's verdict alone (JsonSchema.Net's when there is none), for tests.</summary>
    internal bool IsValidByFastPath(JsonElement instance) => _fast?.IsValid(instance) ?? IsValidByReference(instance);

    /// <inheritdoc/>
    /// <remarks>A JSON Schema payload is the UTF-8 JSON itself, so this is <see cref="ValidateJson"/>.</remarks>
    public override string? ValidatePayload(ReadOnlySpan<byte> payload) => ValidateJson(payload);

    /// <inheritdoc/>
    public override string? ValidateJson(ReadOnlySpan<byte> utf8Json)
    {
        if (CheckEncoding(utf8Json) is { } unreadable)
        {
            return unreadable;
        }

        // JsonDocument parses from memory with pooled metadata; a pooled copy of the record (about a kilobyte) keeps
        // the per-record allocation to the document itself.
        var rented = ArrayPool<byte>.Shared.Rent(utf8Json.Length);
        try
        {
            utf8Json.CopyTo(rented);
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(rented.AsMemory(0, utf8Json.Length), DocumentOptions);
            }
            catch (JsonException e)
            {
                return NotJson(e);
            }

            using (document)
            {
                return Evaluate(document.RootElement);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <inheritdoc/>
    public override string DecodePayloadToJson(ReadOnlySpan<byte> payload)
    {
        if (CheckEncoding(payload) is { } unreadable)
        {
            throw new FormatException(unreadable);
        }

        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { CommentHandling = DocumentOptions.CommentHandling, MaxDepth = DocumentOptions.MaxDepth });
            using var document = JsonDocument.ParseValue(ref reader);
            // ParseValue stops after one value; anything but whitespace after it makes Read throw.
            reader.Read();
            return JsonCanonical.Compact(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new FormatException(NotJson(e), e);
        }
    }

    private string? Evaluate(JsonElement instance)
    {
        try
        {
            if (_fast is not null ? _fast.IsValid(instance) : _schema.Evaluate(instance, FlagOptions).IsValid)
            {
                return null;
            }

            // JsonSchema.Net has the last word on a record the fast path fails, and says why.
            var results = _schema.Evaluate(instance, ListOptions);
            return results.IsValid ? null : Describe(results);
        }
#pragma warning disable CA1031 // A record must never fail the request with an exception: whatever the evaluator throws is the record's violation.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return $"$: the record could not be evaluated against the schema: {e.Message}";
        }
    }

    /// <summary>Why bytes cannot be a JSON record before parsing them (empty, not UTF-8); null when they may be.</summary>
    private static string? CheckEncoding(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.IsEmpty)
        {
            return "$: the record is empty; a JSON schema record is a UTF-8 JSON value.";
        }

        // The JSON reader does not check the UTF-8 inside strings; the vectorised check costs little next to the parse.
        return Utf8.IsValid(utf8Json) ? null : $"$: the record is not valid UTF-8 (the first bad byte is at offset {FirstInvalidUtf8(utf8Json)}).";
    }

    private static string NotJson(JsonException e) => $"$: the record is not valid JSON: {e.Message}";

    private static long FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        var offset = 0;
        while (offset < utf8.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(utf8[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return offset;
    }

    /// <summary>The violations of a failed list-format evaluation: <c>$.address.zip: Value is "string" but should be "integer"</c>.</summary>
    private static string Describe(EvaluationResults results)
    {
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Collect(results, errors, seen);
        foreach (var detail in results.Details ?? [])
        {
            Collect(detail, errors, seen);
        }

        var total = seen.Count;

        if (errors.Count == 0)
        {
            // A failure without a keyword message: a false schema at the root, or a combinator whose branches all failed silently.
            return $"{JsonPath.FromPointer(results.InstanceLocation.ToString())}: the value is not valid against the schema.";
        }

        var message = new StringBuilder(string.Join("; ", errors));
        if (total > errors.Count)
        {
            message.Append(System.Globalization.CultureInfo.InvariantCulture, $" (and {total - errors.Count} more)");
        }

        return message.ToString();
    }

    private static void Collect(EvaluationResults result, List<string> errors, HashSet<string> seen)
    {
        if (result.Errors is null || result.IsValid)
        {
            return;
        }

        var path = JsonPath.FromPointer(result.InstanceLocation.ToString());
        foreach (var (_, error) in result.Errors)
        {
            var line = $"{path}: {error}";
            if (seen.Add(line) && errors.Count < MaxReportedErrors)
            {
                errors.Add(line);
            }
        }
    }
}
