using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Cli.Commands.Bench;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Kinesis;

/// <summary>
/// A bare Kinesis JSON-protocol client for tests: signs each request with SigV4 (the CLI's signer,
/// which shares no code with the gateway's verifier) and returns status and parsed body, so
/// tests can send what real SDKs would not (bad input, foreign iterators, wrong signatures).
/// </summary>
internal sealed class SignedKinesisClient(
    Uri endpoint, string accessKeyId, string secret, Version? httpVersion = null, System.Security.Cryptography.X509Certificates.X509Certificate2? trusted = null) : IDisposable
{
    public const string Region = "us-east-1";

    /// <summary>Bound of the waits for a stream's status: creation takes milliseconds, a loaded test run far longer.</summary>
    public static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        // Trust exactly the test gateway's self-signed certificate, nothing else.
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, errors) => errors == System.Net.Security.SslPolicyErrors.None || (trusted is not null && certificate?.GetCertHashString() == trusted.GetCertHashString()) },
    })
    { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(30) };

    // The SDK's own signer (sluice bench uses it), written apart from the gateway's verifier.
    private readonly KinesisSigner _signer = new(accessKeyId, secret, Region);

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
        _signer.Sign(request, endpoint.Authority, "Kinesis_20131202." + operation, contentType, body);

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

    /// <summary>
    /// CreateStream, then DescribeStreamSummary until the stream is ACTIVE: what a Kinesis user does
    /// (the SDKs' stream_exists waiter), since CreateStream answers while the stream is CREATING.
    /// </summary>
    public async Task CreateStreamAndWaitAsync(string streamName, object request)
    {
        await CallAsync("CreateStream", request);
        await WaitForStatusAsync(streamName, "ACTIVE");
    }

    /// <summary>Polls DescribeStreamSummary until the stream's status is <paramref name="status"/>.</summary>
    public async Task WaitForStatusAsync(string streamName, string status, TimeSpan? timeout = null)
    {
        var last = "";
        await Wait.UntilAsync(async () =>
        {
            var summary = await CallAsync("DescribeStreamSummary", new { StreamName = streamName });
            last = (string)summary["StreamDescriptionSummary"]!["StreamStatus"]!;
            return last == status;
        }, timeout ?? StatusTimeout, () => $"stream {streamName} to be {status}; it is {last}");
    }

    /// <summary>Polls DescribeStreamSummary until it answers ResourceNotFoundException (the SDKs' stream_not_exists waiter).</summary>
    public async Task WaitUntilGoneAsync(string streamName, TimeSpan? timeout = null)
    {
        var last = "";
        await Wait.UntilAsync(async () =>
        {
            var (status, body) = await SendAsync("DescribeStreamSummary", new { StreamName = streamName });
            last = body?.ToJsonString() ?? status.ToString();
            return status == HttpStatusCode.BadRequest && (string?)body?["__type"] == "ResourceNotFoundException";
        }, timeout ?? StatusTimeout, () => $"stream {streamName} to be gone; DescribeStreamSummary answered {last}");
    }

    public void Dispose() => _http.Dispose();
}
