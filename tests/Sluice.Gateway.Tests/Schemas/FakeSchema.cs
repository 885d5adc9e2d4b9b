using System.Text;
using Sluice.Schemas;

namespace Sluice.Gateway.Tests.Schemas;

/// <summary>
/// A schema whose rules a test sets: a payload or JSON record is valid when it contains <see cref="Accepts"/>, and its
/// violation otherwise names the path; decoding wraps the payload's text, or throws for one that does not contain it.
/// </summary>
internal sealed class FakeSchema(string name, SchemaType type = SchemaType.Avro, string accepts = "ok") : ParsedSchema("{\"fake\":\"" + name + "\"}")
{
    public string Accepts { get; } = accepts;

    public override SchemaType Type => type;

    public override string Canonical => Text;

    public override string Name => name;

    public override string? ValidatePayload(ReadOnlySpan<byte> payload) =>
        Encoding.UTF8.GetString(payload).Contains(Accepts, StringComparison.Ordinal) ? null : $"$.amount: expected '{Accepts}'";

    public override string? ValidateJson(ReadOnlySpan<byte> utf8Json) =>
        Encoding.UTF8.GetString(utf8Json).Contains(Accepts, StringComparison.Ordinal) ? null : $"$.json: expected '{Accepts}'";

    public override string DecodePayloadToJson(ReadOnlySpan<byte> payload)
    {
        var text = Encoding.UTF8.GetString(payload);
        return text.Contains(Accepts, StringComparison.Ordinal)
            ? "{\"decoded\":\"" + text + "\"}"
            : throw new FormatException("not an instance: truncated datum");
    }
}
