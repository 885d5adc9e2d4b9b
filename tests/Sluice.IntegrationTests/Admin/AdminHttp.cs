using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Admin;

/// <summary>Calls to the <c>/admin/v1</c> API for tests: send, require a status, and hand back the JSON body.</summary>
internal static class AdminHttp
{
    /// <summary>How long a change may take to reach every cache: "within about a second", with room for a loaded test machine.</summary>
    public static readonly TimeSpan PromptTimeout = TimeSpan.FromSeconds(5);

    public static async Task<JsonElement> ExpectAsync(this Task<HttpResponseMessage> request, HttpStatusCode status)
    {
        using var response = await request;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    public static Task<JsonElement> PostJsonAsync(this HttpClient http, string path, object? body, HttpStatusCode status) =>
        (body is null ? http.PostAsync(path, null) : http.PostAsJsonAsync(path, body)).ExpectAsync(status);

    public static Task<JsonElement> GetJsonAsync(this HttpClient http, string path, HttpStatusCode status = HttpStatusCode.OK) =>
        http.GetAsync(path).ExpectAsync(status);

    /// <summary>Creates a tenant through the admin API and returns it as a <see cref="TestTenant"/> with a tenant-admin token.</summary>
    public static async Task<TestTenant> CreateTenantAsync(this HttpClient admin, SluiceCluster cluster, string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)];
        var tenant = await admin.PostJsonAsync("/admin/v1/tenants", new { name }, HttpStatusCode.Created);
        return new TestTenant(name, tenant.GetProperty("accountId").GetString()!, cluster.IssueToken(name, TimeSpan.FromHours(1)), tenant.GetProperty("id").GetGuid());
    }

    /// <summary>The tenant's audit entries (newest first) as the platform admin reads them.</summary>
    public static async Task<List<JsonElement>> AuditAsync(this HttpClient admin, string tenant, int limit = 100)
    {
        var page = await admin.GetJsonAsync($"/admin/v1/audit?tenant={Uri.EscapeDataString(tenant)}&limit={limit}");
        return [.. page.GetProperty("entries").EnumerateArray()];
    }
}
