using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.IntegrationTests.Kinesis;

/// <summary>
/// A Kinesis JSON request signed with SigV4 at any time, written here from the specification (sharing no code with the
/// gateway's verifier or the CLI's signer), so a test can sign in the past or future, or change the request after signing.
/// </summary>
internal static class SigV4TestRequest
{
    public const string Region = "us-east-1";
    private const string ContentType = "application/x-amz-json-1.1";
    private const string SignedHeaders = "content-type;host;x-amz-date;x-amz-target";

    public static HttpRequestMessage Create(Uri endpoint, string accessKeyId, string secret, string operation, string body, DateTime signedAt)
    {
        var target = "Kinesis_20131202." + operation;
        var amzDate = signedAt.ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        var canonical = $"POST\n/\n\ncontent-type:{ContentType}\nhost:{endpoint.Authority}\nx-amz-date:{amzDate}\nx-amz-target:{target}\n\n{SignedHeaders}\n{payloadHash}";
        var scope = $"{date}/{Region}/kinesis/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        key = Hmac(key, Region);
        key = Hmac(key, "kinesis");
        key = Hmac(key, "aws4_request");
        var signature = Convert.ToHexStringLower(Hmac(key, toSign));

        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, "/")) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={SignedHeaders}, Signature={signature}");
        return request;
    }

    private static byte[] Hmac(byte[] key, string text) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text));
}
