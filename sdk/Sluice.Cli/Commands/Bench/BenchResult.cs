using System.Globalization;
using System.Text.Json;

namespace Sluice.Cli.Commands.Bench;

/// <summary>What a benchmark run measured, after the warm-up; written as a table or as one JSON line.</summary>
internal sealed record BenchResult
{
    private const double BytesPerMegabyte = 1024 * 1024;

    public required BenchSettings Settings { get; init; }

    public required string Stream { get; init; }

    public required double DurationSeconds { get; init; }

    public required long Records { get; init; }

    public required long Failed { get; init; }

    /// <summary>Records of this run that consumers received, warm-up included; null without consumers.</summary>
    public required long? Consumed { get; init; }

    public required double? AckP50Ms { get; init; }

    public required double? AckP99Ms { get; init; }

    public required double? AckP999Ms { get; init; }

    public required double? AckMaxMs { get; init; }

    public required double? E2eP50Ms { get; init; }

    public required double? E2eP99Ms { get; init; }

    public required double? E2eP999Ms { get; init; }

    public string? FirstError { get; init; }

    /// <summary>Records per second read back from TRIM_HORIZON on all shards after producing (<c>--catch-up</c>).</summary>
    public double? CatchUpRecordsPerSecond { get; init; }

    public double RecordsPerSecond => DurationSeconds > 0 ? Records / DurationSeconds : 0;

    /// <summary>Payload megabytes (MiB, as OpenMessaging reports them) per second.</summary>
    public double MegabytesPerSecond => RecordsPerSecond * Settings.RecordSize / BytesPerMegabyte;

    public void WriteTable(TextWriter output)
    {
        var s = Settings;
        var rate = s.Rate > 0 ? string.Create(CultureInfo.InvariantCulture, $"{s.Rate} records/s") : "max";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sluice bench: {s.Api}, stream {Stream}, {s.Shards} shards, {s.RecordSize} B {(s.JsonRecords ? "JSON " : "")}records, batch {s.BatchSize}, {s.Producers} producers, rate {rate}, {DurationSeconds:0.#} s after {s.WarmupSeconds} s warm-up"));
        Row(output, "records/s", Number(RecordsPerSecond, "N1"));
        Row(output, "MB/s", Number(MegabytesPerSecond, "N2"));
        Row(output, "acked records", Records.ToString("N0", CultureInfo.InvariantCulture));
        Row(output, "failed records", Failed.ToString("N0", CultureInfo.InvariantCulture));
        Row(output, "ack latency ms", $"p50 {Ms(AckP50Ms)}  p99 {Ms(AckP99Ms)}  p99.9 {Ms(AckP999Ms)}  max {Ms(AckMaxMs)}");
        Row(output, "e2e latency ms", s.Consumers
            ? string.Create(CultureInfo.InvariantCulture, $"p50 {Ms(E2eP50Ms)}  p99 {Ms(E2eP99Ms)}  p99.9 {Ms(E2eP999Ms)}  (reads of a shard ≥ {s.PollIntervalMs} ms apart)")
            : "(consumers off)");
        if (Consumed is { } consumed)
        {
            Row(output, "consumed records", consumed.ToString("N0", CultureInfo.InvariantCulture) + " (warm-up included)");
        }

        if (CatchUpRecordsPerSecond is { } catchUp)
        {
            Row(output, "catch-up records/s", Number(catchUp, "N1"));
        }

        if (FirstError is not null)
        {
            Row(output, "first error", FirstError);
        }

        static void Row(TextWriter output, string name, string value) => output.WriteLine($"  {name,-18}{value}");

        static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

        static string Ms(double? value) => value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "-";
    }

    /// <summary>One line with snake_case keys; latencies without samples are null.</summary>
    public void WriteJson(TextWriter output)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            var s = Settings;
            json.WriteStartObject();
            json.WriteString("api", s.Api);
            json.WriteNumber("shards", s.Shards);
            json.WriteNumber("record_size", s.RecordSize);
            json.WriteBoolean("json_records", s.JsonRecords);
            json.WriteNumber("batch_size", s.BatchSize);
            json.WriteNumber("producers", s.Producers);
            json.WriteNumber("rate_target", s.Rate);
            json.WriteBoolean("consumers", s.Consumers);
            json.WriteNumber("poll_interval_ms", s.PollIntervalMs);
            json.WriteNumber("duration_s", Round(DurationSeconds));
            json.WriteNumber("records", Records);
            json.WriteNumber("failed", Failed);
            json.WriteNumber("records_per_s", Round(RecordsPerSecond));
            json.WriteNumber("mb_per_s", Round(MegabytesPerSecond));
            Write(json, "ack_p50_ms", AckP50Ms);
            Write(json, "ack_p99_ms", AckP99Ms);
            Write(json, "ack_p999_ms", AckP999Ms);
            Write(json, "ack_max_ms", AckMaxMs);
            Write(json, "e2e_p50_ms", E2eP50Ms);
            Write(json, "e2e_p99_ms", E2eP99Ms);
            Write(json, "e2e_p999_ms", E2eP999Ms);
            Write(json, "consumed", Consumed);
            Write(json, "catch_up_records_per_s", CatchUpRecordsPerSecond);
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));

        static void Write(Utf8JsonWriter json, string name, double? value)
        {
            if (value is { } v)
            {
                json.WriteNumber(name, Round(v));
            }
            else
            {
                json.WriteNull(name);
            }
        }

        static double Round(double value) => Math.Round(value, 3);
    }
}
