using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Sluice.Cli.Commands.Bench;

/// <summary>
/// The records of <c>sluice bench --json-records</c>: JSON objects valid against <c>infra/bench/json-schema-10.json</c>
/// (ten fields: strings, integers with ranges, a number, a boolean, an enum, a nested object, an array), each padded
/// to exactly the record size with the <c>pad</c> string. They are built once from a few templates; a batch only
/// rewrites the 16 hex digits of <c>sent</c> (the send time, first in every record, so the consumers find it at a fixed
/// offset) in place, so generating them costs what the binary records cost and the benchmark measures the service.
/// </summary>
internal static class BenchJsonRecords
{
    /// <summary>Every record starts with this; the send time's hex digits follow.</summary>
    public static ReadOnlySpan<byte> Prefix => "{\"sent\":\""u8;

    private const int SentDigits = 16;
    private const int TemplateCount = 16;
    private const string PadOpen = ",\"pad\":\"";
    private const string PadClose = "\"}";

    private static readonly string[] Templates = CreateTemplates();

    /// <summary>The smallest record size the templates fit in (with an empty pad).</summary>
    public static int MinRecordSize { get; } = Templates.Max(t => Encoding.UTF8.GetByteCount(t) + PadOpen.Length + PadClose.Length);

    /// <summary>A batch's worth of records, one after the other, each exactly <see cref="BenchSettings.RecordSize"/> bytes.</summary>
    public static byte[] CreatePayload(BenchSettings settings, Random random)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.RecordSize < MinRecordSize)
        {
            throw new CliException($"--json-records needs --record-size of at least {MinRecordSize} bytes.");
        }

        var payload = new byte[settings.BatchSize * settings.RecordSize];
        var offset = random.Next(TemplateCount);
        for (var i = 0; i < settings.BatchSize; i++)
        {
            Write(payload.AsSpan(i * settings.RecordSize, settings.RecordSize), Templates[(i + offset) % TemplateCount]);
        }

        return payload;
    }

    /// <summary>Writes the send time into a record made by <see cref="CreatePayload"/>.</summary>
    public static void Stamp(Span<byte> record, long timestamp)
    {
        var digits = record.Slice(Prefix.Length, SentDigits);
        for (var i = SentDigits - 1; i >= 0; i--)
        {
            digits[i] = (byte)"0123456789abcdef"[(int)(timestamp & 0xF)];
            timestamp >>>= 4;
        }
    }

    /// <summary>Reads the send time of a record made by <see cref="CreatePayload"/>; false for any other record.</summary>
    public static bool TryReadTimestamp(ReadOnlySpan<byte> record, out long timestamp)
    {
        timestamp = 0;
        if (record.Length < Prefix.Length + SentDigits || !record.StartsWith(Prefix))
        {
            return false;
        }

        if (!Utf8Parser.TryParse(record.Slice(Prefix.Length, SentDigits), out ulong value, out var consumed, 'x') || consumed != SentDigits)
        {
            return false;
        }

        timestamp = (long)value;
        return true;
    }

    private static void Write(Span<byte> record, string template)
    {
        var written = Encoding.UTF8.GetBytes(template, record);
        written += Encoding.UTF8.GetBytes(PadOpen, record[written..]);
        var padLength = record.Length - written - PadClose.Length;
        record.Slice(written, padLength).Fill((byte)'x');
        Encoding.UTF8.GetBytes(PadClose, record[(written + padLength)..]);
    }

    private static string[] CreateTemplates()
    {
        string[] statuses = ["NEW", "PAID", "SHIPPED", "DELIVERED"];
        string[] cities = ["Springfield", "Riverside", "Fairview", "Madison"];
        var templates = new string[TemplateCount];
        for (var i = 0; i < templates.Length; i++)
        {
            templates[i] = string.Create(CultureInfo.InvariantCulture,
                $"{{\"sent\":\"{new string('0', SentDigits)}\",\"orderId\":{100_000 + (i * 7919)},\"customer\":\"customer-{i:00}\",\"quantity\":{1 + (i * 37 % 1000)}," +
                $"\"price\":{(i * 13.25) + 0.99:0.00},\"express\":{(i % 2 == 0 ? "true" : "false")},\"status\":\"{statuses[i % statuses.Length]}\"," +
                $"\"address\":{{\"street\":\"{i + 1} Main Street\",\"city\":\"{cities[i % cities.Length]}\",\"zip\":\"{10_000 + (i * 4567 % 89_999):00000}\"}}," +
                $"\"tags\":[\"bench\",\"tag-{i % 4}\"]");
        }

        return templates;
    }
}
