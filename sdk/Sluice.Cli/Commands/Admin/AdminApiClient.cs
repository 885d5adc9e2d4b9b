using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Sluice.Cli.Commands.Bench;

namespace Sluice.Cli.Commands.Admin;

/// <summary>The gateway's <c>/admin/v1</c> tenant, access key and audit endpoints, called with a platform-admin or tenant-admin token.</summary>
internal sealed class AdminApiClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;

    public AdminApiClient(Uri endpoint, string token)
    {
        _http = new HttpClient { BaseAddress = endpoint, Timeout = RequestTimeout };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public async Task<AdminTenant> CreateTenantAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync("admin/v1/tenants", new AdminCreateTenant(name), AdminJsonContext.Default.AdminCreateTenant, cancellationToken);
        return await ReadAsync(response, AdminJsonContext.Default.AdminTenant, cancellationToken);
    }

    public async Task<AdminTenantList> ListTenantsAsync(string? exclusiveStartName, CancellationToken cancellationToken)
    {
        var path = exclusiveStartName is null ? "admin/v1/tenants" : $"admin/v1/tenants?exclusiveStartName={Uri.EscapeDataString(exclusiveStartName)}";
        using var response = await _http.GetAsync(path, cancellationToken);
        return await ReadAsync(response, AdminJsonContext.Default.AdminTenantList, cancellationToken);
    }

    public async Task<AdminTenantDetails> ShowTenantAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(Tenant(name), cancellationToken);
        return await ReadAsync(response, AdminJsonContext.Default.AdminTenantDetails, cancellationToken);
    }

    public async Task<AdminTenant> SetTenantStatusAsync(string name, bool suspend, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync($"{Tenant(name)}/{(suspend ? "suspend" : "resume")}", content: null, cancellationToken);
        return await ReadAsync(response, AdminJsonContext.Default.AdminTenant, cancellationToken);
    }

    public async Task DeleteTenantAsync(string name, bool force, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync(force ? $"{Tenant(name)}?force=true" : Tenant(name), cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    public async Task<AdminCreatedAccessKey> CreateKeyAsync(string tenant, string? description, string? principal, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(
            Keys(tenant), new AdminCreateAccessKey(description, principal), AdminJsonContext.Default.AdminCreateAccessKey, cancellationToken);
        return await ReadAsync(response, AdminJsonContext.Default.AdminCreatedAccessKey, cancellationToken);
    }

    public async Task<AdminAccessKeyList> ListKeysAsync(string tenant, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(Keys(tenant), cancellationToken);
        return await ReadAsync(response, AdminJsonContext.Default.AdminAccessKeyList, cancellationToken);
    }

    public async Task<AdminCreatedAccessKey> RotateKeyAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync($"{Keys(tenant)}/{Uri.EscapeDataString(id)}/rotate", content: null, cancellationToken);
        return await ReadAsync(response, AdminJsonContext.Default.AdminCreatedAccessKey, cancellationToken);
    }

    public async Task<AdminAccessKey> SetKeyStatusAsync(string tenant, string id, bool enable, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync($"{Keys(tenant)}/{Uri.EscapeDataString(id)}/{(enable ? "enable" : "disable")}", content: null, cancellationToken);
        return await ReadAsync(response, AdminJsonContext.Default.AdminAccessKey, cancellationToken);
    }

    public async Task DeleteKeyAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync($"{Keys(tenant)}/{Uri.EscapeDataString(id)}", cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    public async Task<AdminAuditList> AuditAsync(string? tenant, long? before, int limit, CancellationToken cancellationToken)
    {
        var path = tenant is null ? "admin/v1/audit" : $"{Tenant(tenant)}/audit";
        var query = $"?limit={limit}" + (before is { } b ? $"&before={b}" : "");
        using var response = await _http.GetAsync(path + query, cancellationToken);
        return await ReadAsync(response, AdminJsonContext.Default.AdminAuditList, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private static string Tenant(string name) => $"admin/v1/tenants/{Uri.EscapeDataString(name)}";

    private static string Keys(string tenant) => $"{Tenant(tenant)}/access-keys";

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

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        RestProblem? problem = null;
        try
        {
            problem = await response.Content.ReadFromJsonAsync(AdminJsonContext.Default.RestProblem, cancellationToken);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            // Not problem+json: the status line has to do.
        }

        var title = problem?.Title ?? response.ReasonPhrase ?? "error";
        var detail = string.IsNullOrWhiteSpace(problem?.Detail) ? string.Empty : ": " + problem.Detail;
        var hint = response.StatusCode == HttpStatusCode.Forbidden ? " (this needs a token with the platform-admin role)" : "";
        throw new RestApiException(response.StatusCode, $"{title} (HTTP {(int)response.StatusCode}){detail}{hint}");
    }
}
