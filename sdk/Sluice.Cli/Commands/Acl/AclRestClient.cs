using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Sluice.Cli.Commands.Bench;

namespace Sluice.Cli.Commands.Acl;

/// <summary>The gateway's <c>/admin/v1/tenants/{tenant}/acls</c> endpoints, called with a platform admin token or a tenant admin token of that tenant.</summary>
internal sealed class AclRestClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly string _path;

    public AclRestClient(Uri endpoint, string token, string tenant)
    {
        _http = new HttpClient { BaseAddress = endpoint, Timeout = RequestTimeout };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _path = $"admin/v1/tenants/{Uri.EscapeDataString(tenant)}/acls";
    }

    public async Task<AclList> ListAsync(string? principal, string? stream, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (principal is not null)
        {
            query.Add("principal=" + Uri.EscapeDataString(principal));
        }

        if (stream is not null)
        {
            query.Add("stream=" + Uri.EscapeDataString(stream));
        }

        using var response = await _http.GetAsync(query.Count == 0 ? _path : $"{_path}?{string.Join('&', query)}", cancellationToken);
        return await ReadAsync(response, AclJsonContext.Default.AclList, cancellationToken);
    }

    public async Task<AclEntry> AddAsync(AddAcl entry, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(_path, entry, AclJsonContext.Default.AddAcl, cancellationToken);
        return await ReadAsync(response, AclJsonContext.Default.AclEntry, cancellationToken);
    }

    public async Task RemoveAsync(Guid id, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync($"{_path}/{id}", cancellationToken);
        await ThrowIfFailedAsync(response, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        await ThrowIfFailedAsync(response, cancellationToken);
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

    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        RestProblem? problem = null;
        try
        {
            problem = await response.Content.ReadFromJsonAsync(AclJsonContext.Default.RestProblem, cancellationToken);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            // Not problem+json: the status line has to do.
        }

        var title = problem?.Title ?? response.ReasonPhrase ?? "error";
        var detail = string.IsNullOrWhiteSpace(problem?.Detail) ? string.Empty : ": " + problem.Detail;
        throw new RestApiException(response.StatusCode, $"{title} (HTTP {(int)response.StatusCode}){detail}");
    }
}
