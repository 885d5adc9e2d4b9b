using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Cli.Commands.Bench;

namespace Sluice.IntegrationTests.Kinesis.Consumers;

/// <summary>
/// A SubscribeToShard call as a test sees it: signed like <see cref="SignedKinesisClient"/>, the
/// response read as it arrives and split into event-stream messages by a reader written here, apart
/// from the gateway's encoder (prelude and message CRC-32 checked, string headers only, as Kinesis sends).
/// </summary>
internal sealed class EventStreamSubscription : IAsyncDisposable
{
    public const string EventStreamContentType = "application/vnd.amazon.eventstream";

    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private readonly CancellationTokenSource _closed = new();

    private EventStreamSubscription(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _body = body;
    }

    public Version Version => _response.Version;

    public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

    /// <summary>
    /// Sends SubscribeToShard: on HTTP 200 the open subscription, otherwise the status and the error
    /// body (JSON). <paramref name="body"/> is sent as <paramref name="contentType"/>.
    /// </summary>
    public static async Task<(HttpStatusCode Status, JsonNode? Error, EventStreamSubscription? Subscription)> OpenAsync(
        HttpClient http, Uri endpoint, KinesisSigner signer, Version version, byte[] body, string contentType = "application/x-amz-json-1.1")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, "/"))
        {
            Content = new ByteArrayContent(body),
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        signer.Sign(request, endpoint.Authority, "Kinesis_20131202.SubscribeToShard", contentType, body);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var text = await response.Content.ReadAsByteArrayAsync();
            response.Dispose();
            return (response.StatusCode, text.Length == 0 ? null : ParseError(text, contentType), null);
        }

        return (HttpStatusCode.OK, null, new EventStreamSubscription(response, await response.Content.ReadAsStreamAsync()));
    }

    public static Task<(HttpStatusCode Status, JsonNode? Error, EventStreamSubscription? Subscription)> OpenAsync(
        HttpClient http, Uri endpoint, KinesisSigner signer, Version version, object request) =>
        OpenAsync(http, endpoint, signer, version, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(request)));

    /// <summary>The next message; null when the server ended the response cleanly. Throws <see cref="TimeoutException"/> when none comes in time.</summary>
    public async Task<StreamEvent?> NextAsync(TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
        deadline.CancelAfter(timeout);
        try
        {
            var prelude = new byte[12];
            if (!await ReadExactlyOrEndAsync(prelude, deadline.Token))
            {
                return null;
            }

            var total = BinaryPrimitives.ReadInt32BigEndian(prelude);
            var headersLength = BinaryPrimitives.ReadInt32BigEndian(prelude.AsSpan(4));
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(prelude.AsSpan(8)), Crc32.HashToUInt32(prelude.AsSpan(0, 8)));
            Assert.InRange(total, 16, 16 * 1024 * 1024);
            var message = new byte[total];
            prelude.CopyTo(message, 0);
            Assert.True(await ReadExactlyOrEndAsync(message.AsMemory(12), deadline.Token), "the response ended inside a message");
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(total - 4)), Crc32.HashToUInt32(message.AsSpan(0, total - 4)));

            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            var block = message.AsSpan(12, headersLength);
            while (!block.IsEmpty)
            {
                var name = Encoding.UTF8.GetString(block.Slice(1, block[0]));
                block = block[(1 + name.Length)..];
                Assert.Equal(7, block[0]);
                var length = BinaryPrimitives.ReadUInt16BigEndian(block[1..]);
                headers[name] = Encoding.UTF8.GetString(block.Slice(3, length));
                block = block[(3 + length)..];
            }

            return new StreamEvent(headers, message[(12 + headersLength)..(total - 4)]);
        }
        catch (OperationCanceledException) when (!_closed.IsCancellationRequested)
        {
            throw new TimeoutException($"No event-stream message within {timeout.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>Reads messages until one satisfies <paramref name="done"/> (returned with all before it).</summary>
    public async Task<List<StreamEvent>> ReadUntilAsync(Func<List<StreamEvent>, bool> done, TimeSpan timeout)
    {
        var events = new List<StreamEvent>();
        var until = DateTime.UtcNow + timeout;
        while (!done(events))
        {
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Not done after {events.Count} messages in {timeout.TotalSeconds:0.#} s.");
            }

            var next = await NextAsync(left) ?? throw new InvalidOperationException($"The response ended after {events.Count} messages, before the test was done.");
            events.Add(next);
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync();
        await _body.DisposeAsync();
        _response.Dispose();
        _closed.Dispose();
    }

    private async Task<bool> ReadExactlyOrEndAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _body.ReadAsync(buffer[read..], cancellationToken);
            if (n == 0)
            {
                Assert.True(read == 0, $"the response ended {read} bytes into a message");
                return false;
            }

            read += n;
        }

        return true;
    }

    private static JsonNode? ParseError(byte[] text, string contentType)
    {
        if (!contentType.Contains("cbor", StringComparison.Ordinal))
        {
            return JsonNode.Parse(text);
        }

        var reader = new System.Formats.Cbor.CborReader(text, System.Formats.Cbor.CborConformanceMode.Lax);
        var error = new JsonObject();
        reader.ReadStartMap();
        while (reader.PeekState() != System.Formats.Cbor.CborReaderState.EndMap)
        {
            error[reader.ReadTextString()] = reader.ReadTextString();
        }

        return error;
    }
}
