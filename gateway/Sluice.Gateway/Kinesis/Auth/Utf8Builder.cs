using System.Buffers;
using System.Text;

namespace Sluice.Gateway.Kinesis.Auth;

/// <summary>
/// Builds UTF-8 text in a pooled buffer (the canonical request is hashed, not kept), with the
/// percent-encoding SigV4 prescribes. Dispose returns the buffer.
/// </summary>
internal ref struct Utf8Builder
{
    private const string UpperHex = "0123456789ABCDEF";
    private byte[] _buffer;
    private int _length;

    public Utf8Builder(int initialCapacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
        _length = 0;
    }

    public readonly ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>AWS's unreserved characters, which URI encoding leaves as they are.</summary>
    public static bool IsUnreserved(byte b) =>
        b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~';

    public void Append(byte b)
    {
        Ensure(1);
        _buffer[_length++] = b;
    }

    public void Append(scoped ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public void Append(scoped ReadOnlySpan<char> text)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
    }

    /// <summary>Each byte that is not unreserved (nor '/' when <paramref name="keepSlash"/>) as %XX, upper-case.</summary>
    public void AppendUriEncoded(scoped ReadOnlySpan<byte> bytes, bool keepSlash)
    {
        Ensure(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (IsUnreserved(b) || (keepSlash && b == (byte)'/'))
            {
                _buffer[_length++] = b;
            }
            else
            {
                _buffer[_length++] = (byte)'%';
                _buffer[_length++] = (byte)UpperHex[b >> 4];
                _buffer[_length++] = (byte)UpperHex[b & 0xF];
            }
        }
    }

    /// <summary>The UTF-8 bytes of <paramref name="text"/>, URI-encoded.</summary>
    public void AppendUriEncoded(scoped ReadOnlySpan<char> text, bool keepSlash)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var count = Encoding.UTF8.GetBytes(text, rented);
            AppendUriEncoded(rented.AsSpan(0, count), keepSlash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override readonly string ToString() => Encoding.UTF8.GetString(Written);

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer is { Length: > 0 })
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int extra)
    {
        if (_length + extra <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + extra));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
