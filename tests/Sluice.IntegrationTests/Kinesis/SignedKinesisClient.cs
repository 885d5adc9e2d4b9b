using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sluice.IntegrationTests.Kinesis;

/// <summary>
/// A bare Kinesis JSON-protocol client for tests: signs each request with SigV4 (written here from
/// AWS's description, sharing no code with the gateway) and returns status and parsed body, so
/// tests can send what real SDKs would not (bad input, foreign iterators, wrong signatures).
/// </summary>
internal sealed class SignedKinesisClient(
    Uri endpoint, string accessKeyId, string secret, Version? httpVersion = null, System.Security.Cryptography.X509Certificates.X509Certificate2? trusted = null) : IDisposable
{
    public const string Region = "us-east-1";

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        // Trust exactly the test gateway's self-signed certificate, nothing else.
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, errors) => errors == System.Net.Security.SslPolicyErrors.None || (trusted is not null && certificate?.GetCertHashString() == trusted.GetCertHashString()) },
    })
    { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(30) };

    public Version? LastVersion { get; private set; }

    public string? LastRequestId { get; private set; }

    public Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(string operation, object body) =>
        SendRawAsync(operation, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body)));

    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendRawAsync(string operation, byte[] body, string contentType = "application/x-amz-json-1.1")
    {
        var (status, bytes, _) = await SendBytesAsync(operation, body, contentType);
        return (status, bytes.Length == 0 ? null : JsonNode.Parse(bytes));
    }

    /// <summary>Sends a body as is and returns the answer's bytes and content type.</summary>
    public async Task<(HttpStatusCode Status, byte[] Body, string? ContentType)> SendBytesAsync(string operation, byte[] body, string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new ByteArrayContent(body),
            Version = httpVersion ?? HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var amzDate = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var host = endpoint.Authority;
        var target = "Kinesis_20131202." + operation;
        request.Headers.Add("X-Amz-Target", target);
        request.Headers.Add("X-Amz-Date", amzDate);
        var canonicalHeaders = $"content-type:{contentType}\nhost:{host}\nx-amz-date:{amzDate}\nx-amz-target:{target}\n";
        const string signedHeaders = "content-type;host;x-amz-date;x-amz-target";
        var canonicalRequest = $"POST\n/\n\n{canonicalHeaders}\n{signedHeaders}\n{Hex(SHA256.HashData(body))}";
        var scope = $"{amzDate[..8]}/{Region}/kinesis/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), amzDate[..8]);
        key = Hmac(key, Region);
        key = Hmac(key, "kinesis");
        key = Hmac(key, "aws4_request");
        var signature = Hex(Hmac(key, stringToSign));
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");

        using var response = await _http.SendAsync(request);
        LastRequestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.Single() : null;
        LastVersion = response.Version;
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Sends and requires HTTP 200.</summary>
    public async Task<JsonNode> CallAsync(string operation, object body)
    {
        var (status, answer) = await SendAsync(operation, body);
        if (status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{operation} answered {(int)status}: {answer?.ToJsonString()}");
        }

        return answer ?? new JsonObject();
    }

    public void Dispose() => _http.Dispose();

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
