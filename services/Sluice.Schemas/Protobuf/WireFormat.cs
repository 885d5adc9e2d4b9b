namespace Sluice.Schemas.Protobuf;

/// <summary>The Protobuf wire format's primitives, read from spans without allocating.</summary>
internal static class WireFormat
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int StartGroup = 3;
    public const int EndGroup = 4;
    public const int Fixed32 = 5;

    /// <summary>The largest field number Protobuf allows (2^29 - 1).</summary>
    public const uint MaxFieldNumber = 536_870_911;

    private const int MaxVarintLength = 10;

    /// <summary>Reads a varint at <paramref name="position"/>; false when it is truncated or longer than 10 bytes (or overflows 64 bits).</summary>
    public static bool TryReadVarint(ReadOnlySpan<byte> data, ref int position, out ulong value)
    {
        value = 0;
        var shift = 0;
        for (var i = 0; i < MaxVarintLength; i++)
        {
            if (position >= data.Length)
            {
                return false;
            }

            var b = data[position++];
            if (i == MaxVarintLength - 1 && b > 1)
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }

            shift += 7;
        }

        return false;
    }

    public static long DecodeZigZag64(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    public static int DecodeZigZag32(uint value) => (int)(value >> 1) ^ -(int)(value & 1);

    public static string WireTypeName(int wireType) => wireType switch
    {
        Varint => "varint (0)",
        Fixed64 => "64-bit (1)",
        LengthDelimited => "length-delimited (2)",
        StartGroup => "start-group (3)",
        EndGroup => "end-group (4)",
        Fixed32 => "32-bit (5)",
        _ => $"invalid ({wireType})",
    };
}
