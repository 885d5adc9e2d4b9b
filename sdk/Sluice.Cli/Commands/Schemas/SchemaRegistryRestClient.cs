using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Sluice.Cli.Commands.Bench;

namespace Sluice.Cli.Commands.Schemas;

/// <summary>
/// The gateway's Confluent-compatible schema registry (<c>{registry}/subjects/…</c>, <c>/config/…</c>) with a bearer token. Its errors
/// come as <c>{"error_code", "message"}</c>, turned into a <see cref="RestApiException"/> that names both.
/// </summary>
internal sealed class SchemaRegistryRestClient : IDisposable
{
    public const string MediaType = "application/vnd.schemaregistry.v1+json";

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;

    /// <param name="registry">The registry's base URL, path included (<c>http://127.0.0.1:8080/schema-registry</c>).</param>
    public SchemaRegistryRestClient(Uri registry, string token)
    {
        // Relative paths are joined to the base URL's path only when it ends with '/'.
        var baseAddress = registry.AbsoluteUri.EndsWith('/') ? registry : new Uri(registry.AbsoluteUri + "/");
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = RequestTimeout };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaType));
    }

    public async Task<List<string>> SubjectsAsync(bool deleted, string? prefix, CancellationToken cancellationToken)
    {
        var query = $"subjects?deleted={(deleted ? "true" : "false")}" + (string.IsNullOrEmpty(prefix) ? "" : "&subjectPrefix=" + Uri.EscapeDataString(prefix));
        using var response = await _http.GetAsync(query, cancellationToken);
        return await ReadAsync(response, SchemaJsonContext.Default.ListString, cancellationToken);
    }

    /// <summary>Registers the schema and finds which version of the subject it is.</summary>
    public async Task<SubjectVersionAnswer> RegisterAsync(string subject, string schemaType, string schema, CancellationToken cancellationToken)
    {
        var body = new RegisterSchema(schema, schemaType);
        using (var response = await SendAsync(HttpMethod.Post, $"subjects/{Escape(subject)}/versions", body, SchemaJsonContext.Default.RegisterSchema, cancellationToken))
        {
            await ReadAsync(response, SchemaJsonContext.Default.SchemaIdAnswer, cancellationToken);
        }

        using var lookup = await SendAsync(HttpMethod.Post, $"subjects/{Escape(subject)}", body, SchemaJsonContext.Default.RegisterSchema, cancellationToken);
        return await ReadAsync(lookup, SchemaJsonContext.Default.SubjectVersionAnswer, cancellationToken);
    }

    public async Task<SubjectVersionAnswer> ShowAsync(string subject, int? version, CancellationToken cancellationToken)
    {
        var which = version?.ToString(CultureInfo.InvariantCulture) ?? "latest";
        using var response = await _http.GetAsync($"subjects/{Escape(subject)}/versions/{which}", cancellationToken);
        return await ReadAsync(response, SchemaJsonContext.Default.SubjectVersionAnswer, cancellationToken);
    }

    public async Task<List<int>> VersionsAsync(string subject, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"subjects/{Escape(subject)}/versions", cancellationToken);
        return await ReadAsync(response, SchemaJsonContext.Default.ListInt32, cancellationToken);
    }

    /// <summary>Deletes a version (soft, or permanent after a soft delete) or the whole subject; returns the versions deleted.</summary>
    public async Task<List<int>> DeleteAsync(string subject, int? version, bool permanent, CancellationToken cancellationToken)
    {
        var query = permanent ? "?permanent=true" : "";
        if (version is { } number)
        {
            using var one = await _http.DeleteAsync($"subjects/{Escape(subject)}/versions/{number.ToString(CultureInfo.InvariantCulture)}{query}", cancellationToken);
            return [await ReadAsync(one, SchemaJsonContext.Default.Int32, cancellationToken)];
        }

        using var all = await _http.DeleteAsync($"subjects/{Escape(subject)}{query}", cancellationToken);
        return await ReadAsync(all, SchemaJsonContext.Default.ListInt32, cancellationToken);
    }

    /// <summary>The compatibility level of a subject (falling back to the tenant's) or, with null, of the tenant.</summary>
    public async Task<string> GetCompatibilityAsync(string? subject, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(subject is null ? "config" : $"config/{Escape(subject)}?defaultToGlobal=true", cancellationToken);
        return (await ReadAsync(response, SchemaJsonContext.Default.CompatibilityAnswer, cancellationToken)).CompatibilityLevel;
    }

    public async Task SetCompatibilityAsync(string? subject, string level, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Put, subject is null ? "config" : $"config/{Escape(subject)}",
            new CompatibilityUpdate(level), SchemaJsonContext.Default.CompatibilityUpdate, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private static string Escape(string subject) => Uri.EscapeDataString(subject);

    private Task<HttpResponseMessage> SendAsync<T>(HttpMethod method, string path, T body, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, type, new MediaTypeHeaderValue(MediaType)) };
        return SendAndDisposeAsync(request, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAndDisposeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            return await _http.SendAsync(request, cancellationToken);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken);
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken)
                ?? throw new RestApiException(response.StatusCode, $"{response.RequestMessage?.RequestUri}: empty answer");
        }
        catch (JsonException e)
        {
            throw new RestApiException(response.StatusCode, $"{response.RequestMessage?.RequestUri}: unexpected answer: {e.Message}");
        }
    }

    /// <summary>Turns the registry's <c>{"error_code", "message"}</c> (or, from something else on the path, the status line) into one readable line.</summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        RegistryError? error = null;
        try
        {
            error = await response.Content.ReadFromJsonAsync(SchemaJsonContext.Default.RegistryError, cancellationToken);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            // Not the registry's answer (a proxy's, or no registry at that URL): the status line has to do.
        }

        var status = (int)response.StatusCode;
        if (error is null || error.ErrorCode == 0)
        {
            throw new RestApiException(response.StatusCode, $"{response.RequestMessage?.RequestUri}: {response.ReasonPhrase} (HTTP {status}); is it the schema registry?");
        }

        var hint = error.ErrorCode switch
        {
            40101 => "; check SLUICE_TOKEN or --token",
            40301 => "; the token's ACLs must allow manage (to change) or any stream permission (to read) on the subject",
            _ => "",
        };
        throw new RestApiException(response.StatusCode, $"{error.Message} (error {error.ErrorCode}, HTTP {status}){hint}");
    }
}
