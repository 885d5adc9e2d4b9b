using System.Buffers;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Sluice.Gateway.Kinesis.Auth;

/// <summary>
/// The canonical request of AWS Signature Version 4 for services other than S3, built the way the
/// AWS SDKs build it (botocore's <c>SigV4Auth</c> is the reference):
/// <code>
/// METHOD '\n' canonical URI '\n' canonical query '\n'
/// (name ':' value '\n') for each signed header '\n'
/// signed header names joined by ';' '\n'
/// payload hash
/// </code>
/// The URI is the wire path with '.'/'..' segments resolved and empty segments dropped, each
/// segment URI-encoded again (so "%20" becomes "%2520": AWS's double encoding for non-S3 services).
/// Query parameters are percent-decoded, re-encoded strictly (unreserved characters only, '+'
/// as %2B) and sorted by encoded name, then value. Header values are trimmed, inner runs of
/// whitespace become one space, and repeated headers are joined with ','.
/// </summary>
public static class SigV4Canonicalizer
{
    /// <summary>The payload hash a request declares when its body is not signed.</summary>
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    internal const string SignatureParameter = "X-Amz-Signature";
    internal const int InitialCapacity = 1024;

    // Signed header names looked up without allocating a string per request.
    private static readonly string[] KnownHeaderNames =
    [
        "host", "x-amz-date", "content-type", "x-amz-target", "content-length", "x-amz-content-sha256",
        "x-amz-security-token", "x-amz-user-agent", "user-agent", "amz-sdk-invocation-id", "amz-sdk-request",
        "content-encoding", "content-md5", "date", ":authority",
    ];

    /// <summary>The canonical URI of a wire path.</summary>
    public static string CanonicalUri(string rawPath)
    {
        var builder = new Utf8Builder(InitialCapacity);
        try
        {
            WriteCanonicalUri(ref builder, rawPath);
            return builder.ToString();
        }
        finally
        {
            builder.Dispose();
        }
    }

    /// <summary>The canonical query string of a wire query, without X-Amz-Signature when <paramref name="excludeSignature"/>.</summary>
    public static string CanonicalQueryString(string rawQuery, bool excludeSignature = false)
    {
        var builder = new Utf8Builder(InitialCapacity);
        try
        {
            WriteCanonicalQuery(ref builder, rawQuery, excludeSignature);
            return builder.ToString();
        }
        finally
        {
            builder.Dispose();
        }
    }

    /// <summary>The canonical form of a header's values: each trimmed, whitespace runs collapsed, joined with ','.</summary>
    public static string CanonicalHeaderValue(StringValues values)
    {
        var builder = new Utf8Builder(InitialCapacity);
        try
        {
            WriteHeaderValue(ref builder, values);
            return builder.ToString();
        }
        finally
        {
            builder.Dispose();
        }
    }

    /// <summary>SignedHeaders as the canonical request lists them: lower-case, sorted.</summary>
    public static string NormalizeSignedHeaders(string signedHeaders)
    {
        ArgumentNullException.ThrowIfNull(signedHeaders);
        if (IsNormalized(signedHeaders))
        {
            return signedHeaders;
        }

        var names = signedHeaders.Split(';');
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = names[i].ToLowerInvariant();
        }

        Array.Sort(names, StringComparer.Ordinal);
        return string.Join(';', names);
    }

    /// <summary>The whole canonical request, as text (for tests and for error messages).</summary>
    public static string CanonicalRequest(SigV4Request request, string signedHeaders, string payloadHash, bool excludeSignature = false)
    {
        var builder = new Utf8Builder(InitialCapacity);
        try
        {
            WriteCanonicalRequest(ref builder, request, NormalizeSignedHeaders(signedHeaders), payloadHash, excludeSignature);
            return builder.ToString();
        }
        finally
        {
            builder.Dispose();
        }
    }

    internal static void WriteCanonicalRequest(ref Utf8Builder builder, in SigV4Request request, string normalizedSignedHeaders,
        scoped ReadOnlySpan<char> payloadHash, bool excludeSignature)
    {
        builder.Append(request.Method);
        builder.Append((byte)'\n');
        WriteCanonicalUri(ref builder, request.RawPath);
        builder.Append((byte)'\n');
        WriteCanonicalQuery(ref builder, request.RawQuery, excludeSignature);
        builder.Append((byte)'\n');
        foreach (var range in normalizedSignedHeaders.AsSpan().Split(';'))
        {
            var name = HeaderName(normalizedSignedHeaders.AsSpan(range));
            builder.Append(name);
            builder.Append((byte)':');
            WriteHeaderValue(ref builder, HeaderValues(request.Headers, name));
            builder.Append((byte)'\n');
        }

        builder.Append((byte)'\n');
        builder.Append(normalizedSignedHeaders);
        builder.Append((byte)'\n');
        builder.Append(payloadHash);
    }

    /// <summary>
    /// The values the canonical request uses for a signed header. <c>host</c> and <c>:authority</c>
    /// are the same thing under HTTP/1.1 and HTTP/2: either is answered from whichever the request has.
    /// </summary>
    internal static StringValues HeaderValues(IHeaderDictionary headers, string name)
    {
        if (name is "host" or ":authority")
        {
            var (first, second) = name == "host" ? ("Host", ":authority") : (":authority", "Host");
            var value = headers[first];
            return StringValues.IsNullOrEmpty(value) ? headers[second] : value;
        }

        return headers[name];
    }

    internal static string HeaderName(ReadOnlySpan<char> name)
    {
        foreach (var known in KnownHeaderNames)
        {
            if (name.SequenceEqual(known))
            {
                return known;
            }
        }

        return name.ToString();
    }

    /// <summary>Percent-decodes <paramref name="raw"/> ('+' stays '+') into UTF-8 bytes; returns the count.</summary>
    internal static int PercentDecode(ReadOnlySpan<char> raw, Span<byte> destination)
    {
        var count = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '%' && i + 2 < raw.Length && IsHex(raw[i + 1]) && IsHex(raw[i + 2]))
            {
                destination[count++] = (byte)((HexValue(raw[i + 1]) << 4) | HexValue(raw[i + 2]));
                i += 2;
            }
            else if (char.IsAscii(c))
            {
                destination[count++] = (byte)c;
            }
            else
            {
                Rune.DecodeFromUtf16(raw[i..], out var rune, out var consumed);
                count += rune.EncodeToUtf8(destination[count..]);
                i += consumed - 1;
            }
        }

        return count;
    }

    /// <summary>A percent-decoded query component as text (invalid UTF-8 becomes U+FFFD).</summary>
    internal static string PercentDecodeToString(ReadOnlySpan<char> raw)
    {
        if (raw.IndexOf('%') < 0)
        {
            return raw.ToString();
        }

        var rented = ArrayPool<byte>.Shared.Rent(raw.Length * 3);
        try
        {
            var count = PercentDecode(raw, rented);
            return Encoding.UTF8.GetString(rented, 0, count);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void WriteCanonicalUri(ref Utf8Builder builder, string rawPath)
    {
        if (rawPath.Length == 0 || rawPath == "/")
        {
            builder.Append((byte)'/');
            return;
        }

        // RFC 3986 remove_dot_segments, also dropping empty segments ("//"), as botocore does.
        var path = rawPath.AsSpan();
        var kept = ArrayPool<Range>.Shared.Rent(path.Count('/') + 1);
        try
        {
            var count = 0;
            foreach (var range in path.Split('/'))
            {
                var segment = path[range];
                if (segment.IsEmpty || segment is ".")
                {
                    continue;
                }

                if (segment is "..")
                {
                    count = Math.Max(0, count - 1);
                    continue;
                }

                kept[count++] = range;
            }

            builder.Append((byte)'/');
            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    builder.Append((byte)'/');
                }

                builder.AppendUriEncoded(path[kept[i]], keepSlash: false);
            }

            if (count > 0 && path[^1] == '/')
            {
                builder.Append((byte)'/');
            }
        }
        finally
        {
            ArrayPool<Range>.Shared.Return(kept);
        }
    }

    private static void WriteCanonicalQuery(ref Utf8Builder builder, string rawQuery, bool excludeSignature)
    {
        var query = rawQuery.AsSpan();
        if (query.StartsWith('?'))
        {
            query = query[1..];
        }

        if (query.IsEmpty)
        {
            return;
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            var key = equals < 0 ? pair : pair[..equals];
            ReadOnlySpan<char> value = equals < 0 ? [] : pair[(equals + 1)..];
            if (excludeSignature && PercentDecodeToString(key) == SignatureParameter)
            {
                continue;
            }

            pairs.Add(KeyValuePair.Create(EncodeComponent(key), EncodeComponent(value)));
        }

        pairs.Sort(static (a, b) =>
        {
            var byKey = string.CompareOrdinal(a.Key, b.Key);
            return byKey != 0 ? byKey : string.CompareOrdinal(a.Value, b.Value);
        });
        for (var i = 0; i < pairs.Count; i++)
        {
            if (i > 0)
            {
                builder.Append((byte)'&');
            }

            builder.Append(pairs[i].Key);
            builder.Append((byte)'=');
            builder.Append(pairs[i].Value);
        }
    }

    private static string EncodeComponent(ReadOnlySpan<char> raw)
    {
        if (raw.IsEmpty)
        {
            return "";
        }

        var decoded = ArrayPool<byte>.Shared.Rent(raw.Length * 3);
        var builder = new Utf8Builder(raw.Length * 3);
        try
        {
            var count = PercentDecode(raw, decoded);
            builder.AppendUriEncoded(decoded.AsSpan(0, count), keepSlash: false);
            return Encoding.ASCII.GetString(builder.Written);
        }
        finally
        {
            builder.Dispose();
            ArrayPool<byte>.Shared.Return(decoded);
        }
    }

    private static void WriteHeaderValue(ref Utf8Builder builder, StringValues values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                builder.Append((byte)',');
            }

            var value = values[i].AsSpan().Trim(Whitespace);
            while (!value.IsEmpty)
            {
                var gap = value.IndexOfAny(Whitespace);
                if (gap < 0)
                {
                    builder.Append(value);
                    break;
                }

                builder.Append(value[..gap]);
                builder.Append((byte)' ');
                value = value[gap..].TrimStart(Whitespace);
            }
        }
    }

    private static bool IsNormalized(string signedHeaders)
    {
        var span = signedHeaders.AsSpan();
        if (span.ContainsAnyInRange('A', 'Z'))
        {
            return false;
        }

        ReadOnlySpan<char> previous = [];
        var first = true;
        foreach (var range in span.Split(';'))
        {
            var name = span[range];
            if (!first && previous.SequenceCompareTo(name) > 0)
            {
                return false;
            }

            previous = name;
            first = false;
        }

        return true;
    }

    private static ReadOnlySpan<char> Whitespace => " \t\r\n\f\v";

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
