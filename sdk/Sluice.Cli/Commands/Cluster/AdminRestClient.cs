using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Sluice.Cli.Commands.Bench;

namespace Sluice.Cli.Commands.Cluster;

/// <summary>The gateway's <c>/admin/v1/cluster</c> REST endpoints, called with an admin token.</summary>
internal sealed class AdminRestClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;

    public AdminRestClient(Uri endpoint, string token)
    {
        _http = new HttpClient { BaseAddress = endpoint, Timeout = RequestTimeout };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public async Task<ClusterNodes> NodesAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync("admin/v1/cluster/nodes", cancellationToken);
        return await RestAnswers.ReadAsync(response, ClusterJsonContext.Default.ClusterNodes, cancellationToken);
    }

    public async Task<Rebalance> RebalanceAsync(bool dryRun, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync(dryRun ? "admin/v1/cluster/rebalance?dryRun=true" : "admin/v1/cluster/rebalance", content: null, cancellationToken);
        return await RestAnswers.ReadAsync(response, ClusterJsonContext.Default.Rebalance, cancellationToken);
    }

    public async Task<RebalanceProgress> ProgressAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync("admin/v1/cluster/rebalance", cancellationToken);
        return await RestAnswers.ReadAsync(response, ClusterJsonContext.Default.RebalanceProgress, cancellationToken);
    }

    public void Dispose() => _http.Dispose();
}
