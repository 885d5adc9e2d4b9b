using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Sluice.Controller;
using Sluice.Gateway.Auth;

namespace Sluice.Gateway.Admin;

/// <summary>REST: cluster administration (storage nodes, rebalancing) for callers with the admin role.</summary>
public static class ClusterEndpoints
{
    public static RouteGroupBuilder MapClusterAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin/v1/cluster").WithTags("Admin").RequireAuthorization(AdminPolicy.Name);

        group.MapGet("/", OverviewAsync)
            .WithSummary("Cluster overview")
            .WithDescription("Storage nodes with their health (healthy, lagging: some replica out of its shard's ISR, down: no heartbeat within "
                + "the node lease), heartbeat age, replicas, leaders and lagging replicas; each tenant's streams and open shards; and cluster-wide "
                + "counts (open shards without a live leader, under-replicated shards). Needs the platform-admin role.")
            .Produces<ClusterOverviewDto>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/nodes", ListNodesAsync)
            .WithSummary("List the storage nodes")
            .WithDescription("Every registered storage node: its address and rack, whether it is live (heartbeat within the gateway's node lease), "
                + "how many shard replicas it holds and how many shards it leads. Needs a token with the admin role.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapPost("/rebalance", RebalanceAsync)
            .WithSummary("Rebalance replicas and leaders over the live storage nodes")
            .WithDescription("Plans which replicas to move so that every live node holds and leads about as many shards as the others "
                + "(fewest moves, rack spread kept), and starts the moves unless `dryRun` is true. A move adds the new replicas first; "
                + "they catch up while writes go on, and the controller removes the old ones once the new ones are in sync. "
                + "409 while an earlier rebalance is still under way. Needs a token with the admin role.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/rebalance", ProgressAsync)
            .WithSummary("Show a rebalance's progress")
            .WithDescription("The shards still reassigning: their replicas now, their target, leader, ISR and the target replicas still catching up. "
                + "Needs a token with the admin role.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return group;
    }

    private static async Task<Ok<ClusterOverviewDto>> OverviewAsync(ClusterOverviewReader reader, CancellationToken cancellationToken) =>
        TypedResults.Ok(await AdminContext.Guard(() => reader.ReadAsync(cancellationToken)));

    private static async Task<Ok<ClusterNodesDto>> ListNodesAsync(ClusterRebalancer cluster, IOptions<GatewayOptions> options, CancellationToken cancellationToken)
    {
        var nodes = await cluster.ListNodesAsync(options.Value.NodeLease, cancellationToken);
        return TypedResults.Ok(new ClusterNodesDto([.. nodes.Select(ClusterNodeDto.From)]));
    }

    private static async Task<Results<Ok<RebalanceDto>, ProblemHttpResult>> RebalanceAsync(
        ClusterRebalancer cluster, IOptions<GatewayOptions> options, CancellationToken cancellationToken, bool dryRun = false)
    {
        var outcome = await cluster.RebalanceAsync(options.Value.NodeLease, dryRun, cancellationToken);
        if (outcome.InProgress > 0)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Rebalance in progress",
                detail: $"{outcome.InProgress} shard(s) are still reassigning from an earlier rebalance; see GET /admin/v1/cluster/rebalance.");
        }

        return TypedResults.Ok(RebalanceDto.From(outcome));
    }

    private static async Task<Ok<RebalanceProgressDto>> ProgressAsync(ClusterRebalancer cluster, CancellationToken cancellationToken)
    {
        var shards = await cluster.ListReassignmentsAsync(cancellationToken);
        return TypedResults.Ok(new RebalanceProgressDto(shards.Count > 0, [.. shards.Select(ShardReassignmentDto.From)]));
    }
}
