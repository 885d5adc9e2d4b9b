using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Extensions.Logging;

namespace Sluice.Log.Internal;

/// <summary>
/// A small file of log metadata (the leader epoch cache, the high watermark) replaced atomically. Little-endian.
/// <code>
///  0               4       6       8               12              16
///  +---------------+-------+-------+---------------+---------------+-- payload ...
///  | Kind (magic)  |Version| rsv   | PayloadLength | Crc32C        |
///  | u32           | u16   | u16   | i32           | u32 (payload) |
///  +---------------+-------+-------+---------------+---------------+--
/// </code>
/// A write goes to <c>name.tmp</c>, is fsynced, renamed over the old file and the directory fsynced, so a crash
/// leaves either the old or the new contents. A file that fails any check reads as missing: both kinds can be
/// rebuilt or safely defaulted.
/// </summary>
internal static class CheckpointFile
{
    /// <summary>Bytes before the payload.</summary>
    public const int HeaderSize = 16;

    /// <summary>Format version of both kinds.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>"SLEP" read as a little-endian u32: the leader epoch cache.</summary>
    public const uint LeaderEpochKind = 0x5045_4C53;

    /// <summary>"SLHW" read as a little-endian u32: the high watermark.</summary>
    public const uint HighWatermarkKind = 0x5748_4C53;

    /// <summary>Suffix of the file written before the rename; a leftover one is ignored and overwritten.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>Larger files are not checkpoints of ours (an epoch cache of a million entries is already absurd).</summary>
    private const int MaxPayloadLength = 16 * 1024 * 1024;

    /// <summary>Replaces <paramref name="path"/> with <paramref name="payload"/>, durably.</summary>
    public static void Write(string path, uint kind, ReadOnlySpan<byte> payload, ILogger logger)
    {
        var length = HeaderSize + payload.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var bytes = buffer.AsSpan(0, length);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, kind);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes[4..], CurrentVersion);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes[6..], 0);
            BinaryPrimitives.WriteInt32LittleEndian(bytes[8..], payload.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes[12..], Crc32C.Compute(payload));
            payload.CopyTo(bytes[HeaderSize..]);

            var temp = path + TempSuffix;
            using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                RandomAccess.Write(handle, bytes, 0);
                RandomAccess.FlushToDisk(handle);
            }

            File.Move(temp, path, overwrite: true);
            DirectorySync.Flush(Path.GetDirectoryName(path)!, logger);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads the payload of <paramref name="path"/>; null with a reason when the file is missing, of another kind or
    /// version, torn, or fails its CRC.
    /// </summary>
    public static byte[]? TryRead(string path, uint kind, out string? problem)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            problem = "missing";
            return null;
        }

        if (bytes.Length < HeaderSize)
        {
            problem = $"{bytes.Length} bytes, shorter than its header";
            return null;
        }

        var header = bytes.AsSpan(0, HeaderSize);
        var fileKind = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var version = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        var payloadLength = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        if (fileKind != kind || version != CurrentVersion)
        {
            problem = $"kind {fileKind:X8} version {version} where {kind:X8} version {CurrentVersion} was expected";
            return null;
        }

        if (payloadLength < 0 || payloadLength > MaxPayloadLength || payloadLength != bytes.Length - HeaderSize)
        {
            problem = $"payload length {payloadLength} in a file of {bytes.Length} bytes";
            return null;
        }

        var payload = bytes[HeaderSize..];
        if (Crc32C.Compute(payload) != crc)
        {
            problem = "CRC mismatch";
            return null;
        }

        problem = null;
        return payload;
    }
}
