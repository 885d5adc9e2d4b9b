using System.Buffers.Binary;
using System.Text;

namespace Sluice.Log.Tests;

/// <summary>Helpers for replication tests: copying a log into another as a follower would, and raw batch surgery.</summary>
internal static class Replication
{
    /// <summary>Pulls every batch of <paramref name="leader"/> into <paramref name="follower"/>, <paramref name="maxBytes"/> per round.</summary>
    public static async Task<int> CatchUpAsync(PartitionLog leader, PartitionLog follower, int maxBytes = 1 << 20)
    {
        var rounds = 0;
        while (follower.LogEndOffset < leader.LogEndOffset)
        {
            using var batches = await leader.ReadBatchesAsync(follower.LogEndOffset, maxBytes);
            var end = await follower.AppendBatchesAsync(batches.Bytes);
            Assert.Equal(batches.NextOffset, end);
            rounds++;
        }

        return rounds;
    }

    /// <summary>Every segment file of a log directory, concatenated in offset order.</summary>
    public static byte[] SegmentBytes(string directory) =>
        [.. Directory.GetFiles(directory, "*.log").OrderBy(static f => f, StringComparer.Ordinal).SelectMany(File.ReadAllBytes)];

    /// <summary>One pre-encoded chunk (<see cref="RecordBody"/>) of <paramref name="count"/> records.</summary>
    public static ReadOnlyMemory<byte> Chunk(int count, string prefix = "e")
    {
        var parts = Enumerable.Range(0, count).Select(i => (Key: Encoding.UTF8.GetBytes($"k{i}"), Value: Encoding.UTF8.GetBytes($"{prefix}{i}"))).ToList();
        var chunk = new byte[parts.Sum(static p => RecordBody.EncodedLength(p.Key.Length, p.Value.Length))];
        var at = 0;
        foreach (var (key, value) in parts)
        {
            at += RecordBody.Write(chunk.AsSpan(at), key, value);
        }

        return chunk;
    }

    /// <summary>
    /// Rewrites the base offset and leader epoch of the batch at the start of <paramref name="batch"/>: fields the CRC
    /// leaves out, so the batch stays valid in itself.
    /// </summary>
    public static byte[] Restamp(ReadOnlySpan<byte> batch, long baseOffset, int leaderEpoch)
    {
        var copy = batch.ToArray();
        BinaryPrimitives.WriteInt64LittleEndian(copy, baseOffset);
        BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(16), leaderEpoch);
        return copy;
    }

    /// <summary>The length field of the batch at the start of <paramref name="bytes"/>.</summary>
    public static int FirstBatchLength(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
}
