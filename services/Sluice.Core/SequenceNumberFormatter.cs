namespace Sluice.Core;

/// <summary>
/// Formats the sequence numbers of one shard, fast when offsets come one after the other, as they
/// do in a put's results and in a read: the next offset's decimal digits are the previous ones plus
/// 2^32 (one step of the offset field), added digit by digit instead of dividing a 128-bit value
/// by ten 37 times. Any other offset is formatted by <see cref="SequenceNumber.Encode"/>.
/// Not thread-safe: one instance per shard per response.
/// </summary>
public sealed class SequenceNumberFormatter
{
    // Adding one to the offset adds 2^32 to the 128-bit value.
    private const ulong OffsetStep = 1UL << 32;

    private readonly char[] _digits = new char[SequenceNumber.DecimalDigits];
    private readonly int _shardIndex;
    private long _offset = -1;

    /// <summary>A formatter for <paramref name="shardIndex"/>'s sequence numbers.</summary>
    public SequenceNumberFormatter(int shardIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shardIndex);
        _shardIndex = shardIndex;
    }

    /// <summary>The shard whose sequence numbers this formats.</summary>
    public int ShardIndex => _shardIndex;

    /// <summary>The sequence number of <paramref name="offset"/> in this formatter's shard.</summary>
    public string Format(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (_offset >= 0 && offset == _offset + 1)
        {
            Step();
        }
        else if (offset != _offset)
        {
            SequenceNumber.Encode(_shardIndex, offset).CopyTo(_digits);
        }

        _offset = offset;
        return new string(_digits);
    }

    private void Step()
    {
        var add = OffsetStep;
        var carry = 0u;
        for (var i = _digits.Length - 1; add != 0 || carry != 0; i--)
        {
            var sum = (uint)(_digits[i] - '0') + (uint)(add % 10) + carry;
            add /= 10;
            carry = sum >= 10 ? 1u : 0u;
            _digits[i] = (char)('0' + sum - (carry * 10));
        }
    }
}
