using System.Globalization;

namespace Sluice.Core;

/// <summary>Kinesis shard ids: <c>shardId-</c> followed by the shard index in 12 digits.</summary>
public static class ShardId
{
    private const string Prefix = "shardId-";
    private const int Digits = 12;

    /// <summary>The largest shard index a shard id can carry.</summary>
    public const int MaxIndex = int.MaxValue;

    // Ids of the low shard indexes, made once: every record a put or a read returns names its shard.
    private const int CachedCount = 1024;
    private static readonly string?[] Cached = new string?[CachedCount];

    /// <summary>Formats shard index 7 as <c>shardId-000000000007</c>.</summary>
    public static string Format(int shardIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shardIndex);
        if (shardIndex < CachedCount)
        {
            // A race makes the same string twice; either copy is right.
            return Cached[shardIndex] ??= Create(shardIndex);
        }

        return Create(shardIndex);
    }

    private static string Create(int shardIndex)
    {
        return string.Create(Prefix.Length + Digits, shardIndex, static (span, index) =>
        {
            Prefix.AsSpan().CopyTo(span);
            index.TryFormat(span[Prefix.Length..], out _, "D12", CultureInfo.InvariantCulture);
        });
    }

    /// <summary>Parses <c>shardId-000000000007</c> (or a bare index, as Kinesis also accepts) into 7.</summary>
    public static bool TryParse(string? text, out int shardIndex)
    {
        shardIndex = -1;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var digits = text.StartsWith(Prefix, StringComparison.Ordinal) ? text.AsSpan(Prefix.Length) : text.AsSpan();
        if (digits.IsEmpty || digits.Length > Digits)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out shardIndex);
    }
}
