using Microsoft.Extensions.Options;
using Sluice.Gateway.Quotas;
using Sluice.Metadata;

namespace Sluice.Gateway.Health;

/// <summary>/healthz (the process is up) and /readyz (PostgreSQL reachable, storage nodes known).</summary>
public static class HealthEndpoints
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Text("ok")).WithTags("Health").WithSummary("Liveness").AllowAnonymous();
        app.MapGet("/readyz", ReadyAsync).WithTags("Health").WithSummary("Readiness: PostgreSQL reachable and at least one live storage node").AllowAnonymous();
    }

    private static async Task<IResult> ReadyAsync(MetadataDatabase database, NodeRegistry nodes, IOptions<GatewayOptions> options, QuotaLimiter quotas, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        var metadata = await database.IsReachableAsync(timeout.Token);
        var liveNodes = 0;
        if (metadata)
        {
            try
            {
                liveNodes = (await nodes.ListLiveAsync(options.Value.NodeLease, timeout.Token)).Count;
            }
            catch (Exception ex) when (MetadataDatabase.IsTransient(ex) || ex is OperationCanceledException)
            {
                metadata = false;
            }
        }

        var ready = metadata && liveNodes > 0;
        // Quotas on the local fallback (Redis away) still serve: reported, not a reason to be unready.
        var quota = new
        {
            mode = quotas.Mode switch { QuotaMode.Redis => "redis", QuotaMode.LocalFallback => "local-fallback", _ => "disabled" },
            fallbackSince = quotas.FallbackSince,
            reason = quotas.FallbackReason,
        };
        var body = new { status = ready ? "ready" : "not-ready", metadata, liveStorageNodes = liveNodes, quotas = quota };
        return ready ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
