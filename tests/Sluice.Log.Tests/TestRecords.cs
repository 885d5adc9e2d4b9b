using System.Text;

namespace Sluice.Log.Tests;

internal static class TestRecords
{
    public static LogRecord[] Make(int count, int valueBytes = 16, string prefix = "r")
    {
        var records = new LogRecord[count];
        for (var i = 0; i < count; i++)
        {
            var value = new byte[valueBytes];
            var text = Encoding.UTF8.GetBytes($"{prefix}{i}");
            text.AsSpan(0, Math.Min(text.Length, valueBytes)).CopyTo(value);
            records[i] = new LogRecord(Encoding.UTF8.GetBytes($"k{i}"), value);
        }

        return records;
    }

    public static LogRecord One(string key, string value) => new(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    public static async Task<List<StoredRecord>> ReadAllAsync(PartitionLog log, long from = -1)
    {
        var all = new List<StoredRecord>();
        var offset = from < 0 ? log.LogStartOffset : from;
        while (offset < log.LogEndOffset)
        {
            var result = await log.ReadAsync(offset, 1000, 1 << 20);
            all.AddRange(result.Records);
            offset = result.NextOffset;
        }

        return all;
    }

    public static string TailSegment(string directory) =>
        Directory.GetFiles(directory, "*.log").OrderBy(static f => f, StringComparer.Ordinal).Last();
}
