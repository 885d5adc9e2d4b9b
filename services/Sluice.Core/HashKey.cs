using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Core;

/// <summary>
/// Kinesis hash-key rules: a record's 128-bit hash key is MD5 of its partition key's UTF-8 bytes,
/// read as a big-endian unsigned integer, unless the producer gives an explicit hash key.
/// </summary>
public static class HashKey
{
    private const int StackallocThreshold = 1024;

    // MD5 is not used for security here: it is Kinesis' partitioning function, and matching it is
    // what makes existing producers shard identically. One reusable hash per thread: the one-shot
    // API sets up a new native context for every call, which dominates for 10-byte keys.
    [ThreadStatic]
    private static IncrementalHash? _md5;

    /// <summary>MD5(UTF-8(partitionKey)) as a 128-bit unsigned integer, as Kinesis computes it.</summary>
    public static UInt128 FromPartitionKey(string partitionKey)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(partitionKey.Length);
        byte[]? rented = null;
        var buffer = maxBytes <= StackallocThreshold
            ? stackalloc byte[StackallocThreshold]
            : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            var length = Encoding.UTF8.GetBytes(partitionKey, buffer);
            Span<byte> digest = stackalloc byte[MD5.HashSizeInBytes];
            var md5 = _md5 ??= IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            md5.AppendData(buffer[..length]);
            md5.GetHashAndReset(digest);
            return ReadBigEndian(digest);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Parses a decimal explicit hash key in [0, 2^128 - 1].</summary>
    public static bool TryParse(string? text, out UInt128 value)
    {
        value = default;
        if (string.IsNullOrEmpty(text) || text.Length > 39)
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

        return UInt128.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Formats a hash key as the decimal string Kinesis uses.</summary>
    public static string Format(UInt128 value) => value.ToString(CultureInfo.InvariantCulture);

    private static UInt128 ReadBigEndian(ReadOnlySpan<byte> bytes)
    {
        var high = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var low = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        return new UInt128(high, low);
    }
}
