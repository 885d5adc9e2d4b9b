using System.Globalization;

namespace Sluice.Core;

/// <summary>
/// Public sequence numbers. A sequence number is the decimal form of a 128-bit value that encodes
/// the shard index and the record's offset in the shard log, so it decodes without a look-up,
/// strictly increases within a shard (offset in the high bits) and is unique across the stream
/// (shard index in the low bits).
/// </summary>
/// <remarks>
/// <code>
///  127      120 119        96 95                         32 31                 0
/// +----------+--------------+-----------------------------+--------------------+
/// | version  |   reserved   |        offset (64 bits)     | shard index (32)   |
/// |   = 1    |     = 0      |                             |                    |
/// +----------+--------------+-----------------------------+--------------------+
/// </code>
/// The version byte pins the value between 2^120 and 2^121, so every sequence number has the same
/// number of decimal digits (37) and string order equals numeric order.
/// </remarks>
public static class SequenceNumber
{
    private const int VersionShift = 120;
    private const int OffsetShift = 32;
    private const byte FormatVersion = 1;
    /// <summary>Every sequence number has this many decimal digits.</summary>
    internal const int DecimalDigits = 37;

    /// <summary>Encodes a shard index and an offset.</summary>
    public static string Encode(int shardIndex, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shardIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var value = ((UInt128)FormatVersion << VersionShift) | ((UInt128)(ulong)offset << OffsetShift) | (uint)shardIndex;
        return value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Decodes a sequence number into its shard index and offset.</summary>
    public static bool TryDecode(string? text, out int shardIndex, out long offset)
    {
        shardIndex = -1;
        offset = -1;
        if (text is null || text.Length != DecimalDigits)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        if (!UInt128.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || (byte)(value >> VersionShift) != FormatVersion)
        {
            return false;
        }

        var rawOffset = (ulong)(value >> OffsetShift);
        var rawShard = (uint)value;
        if (rawOffset > long.MaxValue || rawShard > int.MaxValue)
        {
            return false;
        }

        // Bits 96..119 are reserved and must be zero.
        if ((value >> 96) != ((UInt128)FormatVersion << (VersionShift - 96)))
        {
            return false;
        }

        shardIndex = (int)rawShard;
        offset = (long)rawOffset;
        return true;
    }
}
