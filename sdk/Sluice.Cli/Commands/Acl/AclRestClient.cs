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
        return await RestAnswers.ReadAsync(response, AclJsonContext.Default.AclList, cancellationToken);
    }

    public async Task<AclEntry> AddAsync(AddAcl entry, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(_path, entry, AclJsonContext.Default.AddAcl, cancellationToken);
        return await RestAnswers.ReadAsync(response, AclJsonContext.Default.AclEntry, cancellationToken);
    }

    public async Task RemoveAsync(Guid id, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync($"{_path}/{id}", cancellationToken);
        await RestAnswers.EnsureSuccessAsync(response, cancellationToken);
    }

    public void Dispose() => _http.Dispose();
}
