using System.Buffers;

namespace Sluice.Log;

/// <summary>
/// Whole batches exactly as stored (64-byte header and records), read by <see cref="PartitionLog.ReadBatchesAsync"/>
/// for a follower, which appends them with <see cref="PartitionLog.AppendBatchesAsync"/>. The bytes may live in a
/// pooled buffer: dispose the instance once they have been sent or copied, and do not touch <see cref="Bytes"/>
/// after that.
/// </summary>
public sealed class RawBatches : IDisposable
{
    private byte[]? _pooled;

    private RawBatches(byte[]? pooled, ReadOnlyMemory<byte> bytes, long firstOffset, long nextOffset, int batchCount)
    {
        _pooled = pooled;
        Bytes = bytes;
        FirstOffset = firstOffset;
        NextOffset = nextOffset;
        BatchCount = batchCount;
    }

    /// <summary>The batches back to back, empty when there were none.</summary>
    public ReadOnlyMemory<byte> Bytes { get; private set; }

    /// <summary>Base offset of the first batch (the offset asked for).</summary>
    public long FirstOffset { get; }

    /// <summary>One past the last offset in the last batch: where the next read starts. Equal to <see cref="FirstOffset"/> when empty.</summary>
    public long NextOffset { get; }

    /// <summary>Number of whole batches in <see cref="Bytes"/>.</summary>
    public int BatchCount { get; }

    /// <summary>No batches, at <paramref name="offset"/>.</summary>
    public static RawBatches Empty(long offset) => new(null, ReadOnlyMemory<byte>.Empty, offset, offset, 0);

    /// <summary>Takes ownership of <paramref name="buffer"/>, rented from <see cref="ArrayPool{T}.Shared"/>.</summary>
    internal static RawBatches FromPooled(byte[] buffer, int length, long firstOffset, long nextOffset, int batchCount) =>
        new(buffer, buffer.AsMemory(0, length), firstOffset, nextOffset, batchCount);

    /// <summary>Returns the buffer to its pool; <see cref="Bytes"/> is empty from here on.</summary>
    public void Dispose()
    {
        Bytes = ReadOnlyMemory<byte>.Empty;
        if (Interlocked.Exchange(ref _pooled, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
