using System.Numerics;

namespace Sluice.Core;

/// <summary>An inclusive range of 128-bit hash keys owned by one shard.</summary>
public readonly record struct HashKeyRange(UInt128 Start, UInt128 End)
{
    /// <summary>The whole hash-key space, [0, 2^128 - 1].</summary>
    public static HashKeyRange Full { get; } = new(UInt128.Zero, UInt128.MaxValue);

    /// <summary>True when <paramref name="hashKey"/> falls inside the range.</summary>
    public bool Contains(UInt128 hashKey) => hashKey >= Start && hashKey <= End;

    /// <summary>
    /// Splits the hash-key space into <paramref name="count"/> contiguous ranges the way Kinesis does
    /// for a new stream: range i starts at floor(2^128 × i / count).
    /// </summary>
    public static HashKeyRange[] Split(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var space = BigInteger.One << 128;
        var ranges = new HashKeyRange[count];
        for (var i = 0; i < count; i++)
        {
            var start = space * i / count;
            var end = (space * (i + 1) / count) - 1;
            ranges[i] = new HashKeyRange((UInt128)start, (UInt128)end);
        }

        return ranges;
    }
}
