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

    private const string ForbiddenHint = "this needs a token with the platform-admin role";

    private readonly HttpClient _http;

    public AdminApiClient(Uri endpoint, string token)
    {
        _http = new HttpClient { BaseAddress = endpoint, Timeout = RequestTimeout };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public async Task<AdminTenant> CreateTenantAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync("admin/v1/tenants", new AdminCreateTenant(name), AdminJsonContext.Default.AdminCreateTenant, cancellationToken);
        return await RestAnswers.ReadAsync(response, AdminJsonContext.Default.AdminTenant, cancellationToken, ForbiddenHint);
    }

    public async Task<AdminTenantList> ListTenantsAsync(string? exclusiveStartName, CancellationToken cancellationToken)
    {
        var path = exclusiveStartName is null ? "admin/v1/tenants" : $"admin/v1/tenants?exclusiveStartName={Uri.EscapeDataString(exclusiveStartName)}";
        using var response = await _http.GetAsync(path, cancellationToken);
        return await RestAnswers.ReadAsync(response, AdminJsonContext.Default.AdminTenantList, cancellationToken, ForbiddenHint);
    }

    public async Task<AdminTenantDetails> ShowTenantAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(Tenant(name), cancellationToken);
        return await RestAnswers.ReadAsync(response, AdminJsonContext.Default.AdminTenantDetails, cancellationToken, ForbiddenHint);
    }

    public async Task<AdminTenant> SetTenantStatusAsync(string name, bool suspend, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync($"{Tenant(name)}/{(suspend ? "suspend" : "resume")}", content: null, cancellationToken);
        return await RestAnswers.ReadAsync(response, AdminJsonContext.Default.AdminTenant, cancellationToken, ForbiddenHint);
    }

    public async Task DeleteTenantAsync(string name, bool force, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync(force ? $"{Tenant(name)}?force=true" : Tenant(name), cancellationToken);
        await RestAnswers.EnsureSuccessAsync(response, cancellationToken, ForbiddenHint);
    }

    public async Task<AdminCreatedAccessKey> CreateKeyAsync(string tenant, string? description, string? principal, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(
            Keys(tenant), new AdminCreateAccessKey(description, principal), AdminJsonContext.Default.AdminCreateAccessKey, cancellationToken);
        return await RestAnswers.ReadAsync(response, AdminJsonContext.Default.AdminCreatedAccessKey, cancellationToken, ForbiddenHint);
    }

    public async Task<AdminAccessKeyList> ListKeysAsync(string tenant, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(Keys(tenant), cancellationToken);
        return await RestAnswers.ReadAsync(response, AdminJsonContext.Default.AdminAccessKeyList, cancellationToken, ForbiddenHint);
    }

    public async Task<AdminCreatedAccessKey> RotateKeyAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync($"{Keys(tenant)}/{Uri.EscapeDataString(id)}/rotate", content: null, cancellationToken);
        return await RestAnswers.ReadAsync(response, AdminJsonContext.Default.AdminCreatedAccessKey, cancellationToken, ForbiddenHint);
    }

    public async Task<AdminAccessKey> SetKeyStatusAsync(string tenant, string id, bool enable, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync($"{Keys(tenant)}/{Uri.EscapeDataString(id)}/{(enable ? "enable" : "disable")}", content: null, cancellationToken);
        return await RestAnswers.ReadAsync(response, AdminJsonContext.Default.AdminAccessKey, cancellationToken, ForbiddenHint);
    }

    public async Task DeleteKeyAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync($"{Keys(tenant)}/{Uri.EscapeDataString(id)}", cancellationToken);
        await RestAnswers.EnsureSuccessAsync(response, cancellationToken, ForbiddenHint);
    }

    public async Task<AdminAuditList> AuditAsync(string? tenant, long? before, int limit, CancellationToken cancellationToken)
    {
        var path = tenant is null ? "admin/v1/audit" : $"{Tenant(tenant)}/audit";
        var query = $"?limit={limit}" + (before is { } b ? $"&before={b}" : "");
        using var response = await _http.GetAsync(path + query, cancellationToken);
        return await RestAnswers.ReadAsync(response, AdminJsonContext.Default.AdminAuditList, cancellationToken, ForbiddenHint);
    }

    public void Dispose() => _http.Dispose();

    private static string Tenant(string name) => $"admin/v1/tenants/{Uri.EscapeDataString(name)}";

    private static string Keys(string tenant) => $"{Tenant(tenant)}/access-keys";
}
