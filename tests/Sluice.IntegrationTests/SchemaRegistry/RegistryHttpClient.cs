using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Sluice.IntegrationTests.SchemaRegistry;

/// <summary>Raw HTTP to a gateway's schema registry (<c>/schema-registry</c>), asserting Confluent's media type and error shape.</summary>
internal sealed class RegistryHttpClient(HttpClient http) : IDisposable
{
    public const string MediaType = "application/vnd.schemaregistry.v1+json";

    public const string BasePath = "/schema-registry";

    public HttpClient Http { get; } = http;

    /// <summary>Sends a request (a body is serialised to JSON unless it is a string, sent as is) and returns the status and JSON answer.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body = null, string? mediaType = MediaType)
    {
        using var request = new HttpRequestMessage(method, BasePath + path);
        if (body is not null)
        {
            var text = body as string ?? JsonSerializer.Serialize(body);
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = mediaType is null ? null : new MediaTypeHeaderValue(mediaType);
        }

        using var response = await Http.SendAsync(request);
        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == MediaType,
            $"{method} {path}: media type {response.Content.Headers.ContentType} ({(int)response.StatusCode} {answer})");
        var json = answer.Length == 0 ? default : JsonDocument.Parse(answer).RootElement.Clone();
        return (response.StatusCode, json);
    }

    /// <summary>Sends and asserts a 200, returning the answer.</summary>
    public async Task<JsonElement> OkAsync(HttpMethod method, string path, object? body = null)
    {
        var (status, json) = await SendAsync(method, path, body);
        Assert.True(status == HttpStatusCode.OK, $"{method} {path}: {(int)status} {json}");
        return json;
    }

    public Task<JsonElement> GetAsync(string path) => OkAsync(HttpMethod.Get, path);

    /// <summary>Sends and asserts Confluent's error answer with <paramref name="errorCode"/> (status = code / 100); returns the message.</summary>
    public async Task<string> ErrorAsync(HttpMethod method, string path, int errorCode, object? body = null, string? mediaType = MediaType)
    {
        var (status, json) = await SendAsync(method, path, body, mediaType);
        var expectedStatus = errorCode < 1000 ? errorCode : errorCode / 100;
        Assert.True((int)status == expectedStatus && json.ValueKind == JsonValueKind.Object
            && json.TryGetProperty("error_code", out var code) && code.GetInt32() == errorCode,
            $"{method} {path}: expected {expectedStatus}/{errorCode}, got {(int)status} {json}");
        return json.GetProperty("message").GetString()!;
    }

    /// <summary>Registers a schema and returns its id.</summary>
    public async Task<int> RegisterAsync(string subject, string schema, string? schemaType = "JSON")
    {
        var answer = await OkAsync(HttpMethod.Post, $"/subjects/{Uri.EscapeDataString(subject)}/versions", new SchemaBody(schema, schemaType));
        return answer.GetProperty("id").GetInt32();
    }

    public void Dispose() => Http.Dispose();

    /// <summary>A registration body; a null <see cref="SchemaType"/> is left out (AVRO).</summary>
    public sealed record SchemaBody(
        [property: System.Text.Json.Serialization.JsonPropertyName("schema")] string Schema,
        [property: System.Text.Json.Serialization.JsonPropertyName("schemaType"), System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? SchemaType);
}
