using System.Buffers.Binary;
using System.Numerics;

namespace Sluice.Log.Internal;

/// <summary>CRC-32C (Castagnoli) over spans, using the CPU's CRC instruction through <see cref="BitOperations"/>.</summary>
internal static class Crc32C
{
    /// <summary>The conventional initial register value (all ones), as in iSCSI, ext4 and Kafka.</summary>
    public const uint Seed = 0xFFFF_FFFF;

    /// <summary>Computes the finished checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Seed, data));

    /// <summary>
    /// Folds <paramref name="data"/> into a running register so that a batch too large for one buffer can be
    /// checked piece by piece during recovery. Start from <see cref="Seed"/> and call <see cref="Finish"/> at the end.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        // Eight bytes per instruction is where the throughput is; the tail is at most seven single bytes.
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }

    /// <summary>Applies the final inversion that turns a running register into the published checksum.</summary>
    public static uint Finish(uint crc) => ~crc;
}
