using System.Text;

namespace Sluice.Log.Tests;

public sealed class EncodedAppendTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Encoded_chunks_append_as_one_batch_and_read_back_like_records()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        await log.AppendAsync([new LogRecord(Encoding.UTF8.GetBytes("k0"), Encoding.UTF8.GetBytes("plain"))], 1);

        var first = Encode(("a", "one"), ("b", "two"));
        var second = Encode(("c", ""), ("", "four"));
        var result = await log.AppendEncodedAsync([first, second], 1);

        Assert.Equal((1L, 4), (result.BaseOffset, result.Count));
        var read = await log.ReadAsync(0, 100, 1 << 20);
        Assert.Equal(["plain", "one", "two", "", "four"], read.Records.Select(r => Encoding.UTF8.GetString(r.Value.Span)));
        Assert.Equal(["k0", "a", "b", "c", ""], read.Records.Select(r => Encoding.UTF8.GetString(r.Key.Span)));
        Assert.Equal([1L, 2, 3, 4], read.Records.Skip(1).Select(r => r.Offset));
    }

    [Fact]
    public async Task Encoded_batches_survive_a_reopen()
    {
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            await log.AppendEncodedAsync([Encode(("k", "v1"), ("k", "v2"))], 3);
        }

        await using var reopened = PartitionLog.Open(_temp.Path, LogOptions.Default);
        var read = await reopened.ReadAsync(0, 10, 1 << 20);
        Assert.Equal(["v1", "v2"], read.Records.Select(r => Encoding.UTF8.GetString(r.Value.Span)));
        Assert.All(read.Records, r => Assert.Equal(3, r.LeaderEpoch));
    }

    [Fact]
    public async Task Malformed_or_empty_chunks_are_refused_and_write_nothing()
    {
        await using var log = PartitionLog.Open(_temp.Path, LogOptions.Default);
        var good = Encode(("k", "value"));
        var truncated = good[..^1];
        var trailing = new byte[good.Length + 2];
        good.CopyTo(trailing, 0);

        await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendEncodedAsync([truncated], 1));
        await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendEncodedAsync([good, trailing], 1));
        await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendEncodedAsync([ReadOnlyMemory<byte>.Empty], 1));
        await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendEncodedAsync([], 1));
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public void Record_bodies_count_only_whole_records()
    {
        var body = Encode(("a", "1"), ("bb", "22"), ("", ""));
        Assert.True(RecordBody.TryCount(body, out var count));
        Assert.Equal(3, count);
        Assert.False(RecordBody.TryCount(body.AsSpan(0, body.Length - 1), out _));
        Assert.True(RecordBody.TryCount(ReadOnlySpan<byte>.Empty, out var none));
        Assert.Equal(0, none);
    }

    private static byte[] Encode(params (string Key, string Value)[] records)
    {
        var size = records.Sum(r => RecordBody.EncodedLength(Encoding.UTF8.GetByteCount(r.Key), Encoding.UTF8.GetByteCount(r.Value)));
        var buffer = new byte[size];
        var position = 0;
        foreach (var (key, value) in records)
        {
            position += RecordBody.Write(buffer.AsSpan(position), Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));
        }

        return buffer;
    }
}
