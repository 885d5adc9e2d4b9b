using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Sluice.Log.Internal;

/// <summary>
/// Walks the batches of a segment file from a known batch boundary, through a pooled window so that many small
/// headers cost one read. Used by recovery (with CRC checks), index rebuilds, and readers locating an offset
/// (headers only). Stops at the first batch that is cut short or implausible and says why in <see cref="Problem"/>.
/// </summary>
internal sealed class SegmentScanner : IDisposable
{
    /// <summary>Window for recovery and rebuilds: large sequential reads.</summary>
    public const int RecoveryBufferSize = 1024 * 1024;

    /// <summary>Window for readers looking for a batch: about one index interval of headers.</summary>
    public const int LookupBufferSize = 16 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly long _end;
    private readonly bool _verifyCrc;
    private byte[]? _buffer;
    private long _windowStart;
    private int _windowLength;

    /// <param name="handle">The segment file.</param>
    /// <param name="position">A batch boundary to start from.</param>
    /// <param name="end">Bytes past this are not looked at (the file length, or what has been published).</param>
    /// <param name="expectedOffset">The base offset the batch at <paramref name="position"/> must have.</param>
    /// <param name="verifyCrc">Read whole bodies and check their CRC, not just headers.</param>
    /// <param name="bufferSize">Window size.</param>
    public SegmentScanner(SafeFileHandle handle, long position, long end, long expectedOffset, bool verifyCrc, int bufferSize)
    {
        _handle = handle;
        _end = end;
        _verifyCrc = verifyCrc;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(bufferSize, BatchHeader.Size));
        Position = position;
        NextOffset = expectedOffset;
    }

    /// <summary>End of the last good batch: where the next one starts, or where a torn tail must be cut.</summary>
    public long Position { get; private set; }

    /// <summary>The offset after the last good batch.</summary>
    public long NextOffset { get; private set; }

    /// <summary>Why scanning stopped before <c>end</c>, or null for a clean end.</summary>
    public string? Problem { get; private set; }

    /// <summary>Advances to the next good batch; false at the end or at the first bad one.</summary>
    public bool TryReadNext(out BatchHeader header, out long batchPosition)
    {
        header = default;
        batchPosition = Position;
        var remaining = _end - Position;
        if (remaining <= 0)
        {
            return false;
        }

        if (remaining < BatchHeader.Size || !TryWindow(Position, BatchHeader.Size, out var headerBytes))
        {
            Problem = $"incomplete batch header ({remaining} bytes)";
            return false;
        }

        header = BatchHeader.Read(headerBytes);
        Problem = header.Validate(NextOffset, remaining);
        if (Problem is not null)
        {
            return false;
        }

        if (_verifyCrc && !CrcMatches(header))
        {
            Problem = $"CRC mismatch in the batch at offset {header.BaseOffset}";
            return false;
        }

        Position += header.BatchLength;
        NextOffset = header.NextOffset;
        return true;
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool CrcMatches(in BatchHeader header)
    {
        // Streamed through the window so that a batch larger than the window never needs a buffer of its size.
        var crc = Crc32C.Seed;
        var position = Position + BatchHeader.CrcCoverageStart;
        var remaining = header.BatchLength - BatchHeader.CrcCoverageStart;
        while (remaining > 0)
        {
            var chunk = Math.Min(remaining, _buffer!.Length);
            if (!TryWindow(position, chunk, out var bytes))
            {
                return false;
            }

            crc = Crc32C.Append(crc, bytes);
            position += chunk;
            remaining -= chunk;
        }

        return Crc32C.Finish(crc) == header.Crc;
    }

    private bool TryWindow(long position, int length, out ReadOnlySpan<byte> bytes)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(SegmentScanner));
        if (position < _windowStart || position + length > _windowStart + _windowLength)
        {
            var toRead = (int)Math.Min(buffer.Length, _end - position);
            _windowStart = position;
            _windowLength = IndexFile.ReadFully(_handle, buffer.AsSpan(0, toRead), position);
            if (_windowLength < length)
            {
                bytes = default;
                return false;
            }
        }

        bytes = buffer.AsSpan((int)(position - _windowStart), length);
        return true;
    }
}
