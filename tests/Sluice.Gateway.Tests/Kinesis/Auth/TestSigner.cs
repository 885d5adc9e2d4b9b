using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Sluice.Gateway.Tests.Kinesis.Auth;

/// <summary>
/// A plain, string-based SigV4 signer written from AWS's description of the algorithm, sharing no
/// code with the gateway's verifier. It handles what the tests send: simple paths and queries.
/// </summary>
internal static partial class TestSigner
{
    public const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";

    public static string AmzDate(DateTimeOffset time) => time.UtcDateTime.ToString(AmzDateFormat, CultureInfo.InvariantCulture);

    /// <summary>The Authorization header value for the request as it stands.</summary>
    public static string Authorization(string method, string path, string query, IHeaderDictionary headers, byte[] body,
        string signedHeaders, string accessKeyId, string secret, string region, string service, string amzDate,
        string? scopeDate = null, string? payloadHash = null)
    {
        var signature = Signature(method, path, query, headers, body, signedHeaders, secret, region, service, amzDate, scopeDate, payloadHash);
        var scope = $"{scopeDate ?? amzDate[..8]}/{region}/{service}/aws4_request";
        return $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    public static string Signature(string method, string path, string query, IHeaderDictionary headers, byte[] body,
        string signedHeaders, string secret, string region, string service, string amzDate, string? scopeDate = null, string? payloadHash = null)
    {
        var date = scopeDate ?? amzDate[..8];
        var canonicalHeaders = new StringBuilder();
        foreach (var name in signedHeaders.Split(';'))
        {
            StringValues values = name is "host" or ":authority"
                ? (headers.TryGetValue("Host", out var host) && host.Count > 0 ? host : headers[":authority"])
                : headers[name];
            canonicalHeaders.Append(name).Append(':')
                .Append(string.Join(',', values.Select(v => Spaces().Replace(v!.Trim(), " "))))
                .Append('\n');
        }

        var canonicalQuery = string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Contains('=', StringComparison.Ordinal) ? p : p + "=")
            .Order(StringComparer.Ordinal));
        var canonicalRequest = string.Join('\n', method, path, canonicalQuery, canonicalHeaders.ToString(), signedHeaders,
            payloadHash ?? Hex(SHA256.HashData(body)));
        var stringToSign = string.Join('\n', "AWS4-HMAC-SHA256", amzDate, $"{date}/{region}/{service}/aws4_request",
            Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        return Hex(Hmac(key, stringToSign));
    }

    private static byte[] Hmac(byte[] key, string data)
    {
        using var hmac = new HMACSHA256(key);
        return hmac.ComputeHash(Encoding.UTF8.GetBytes(data));
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
