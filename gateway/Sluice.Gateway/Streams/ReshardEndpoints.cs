using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Sluice.Core;
using Sluice.Gateway.Auth;

namespace Sluice.Gateway.Streams;

/// <summary>REST: splitting, merging and scaling a stream's shards.</summary>
public static class ReshardEndpoints
{
    public static RouteGroupBuilder MapReshardApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/streams/{name}").WithTags("Streams").RequireAuthorization();

        group.MapPost("/shards:split", SplitAsync)
            .WithSummary("Split a shard")
            .WithDescription("Closes an open shard and opens two children: the lower one up to `newStartingHashKey` - 1, the upper one from it. "
                + "The closed shard's records stay readable; readers reaching its end are pointed at the children.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/shards:merge", MergeAsync)
            .WithSummary("Merge two adjacent shards")
            .WithDescription("Closes two open shards whose hash-key ranges border each other and opens one child covering both.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/shards:scale", ScaleAsync)
            .WithSummary("Change the number of open shards")
            .WithDescription("Splits and merges until `targetShardCount` open shards cover the hash-key space in equal ranges (Kinesis UNIFORM_SCALING); "
                + "the target must be between half and double the current open shard count.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<Ok<StreamDto>> SplitAsync(
        string name, SplitShardBody body, ClaimsPrincipal user, StreamAccess access, ReshardService reshards, CancellationToken cancellationToken)
    {
        var tenant = (await access.AuthorizeAsync(user, StreamAccessKind.Manage, name, cancellationToken)).Tenant;
        var outcome = await reshards.SplitAsync(tenant, name, Required(body.ShardId, "shardId"), Required(body.NewStartingHashKey, "newStartingHashKey"), cancellationToken);
        return TypedResults.Ok(StreamDto.From(outcome.Stream));
    }

    private static async Task<Ok<StreamDto>> MergeAsync(
        string name, MergeShardsBody body, ClaimsPrincipal user, StreamAccess access, ReshardService reshards, CancellationToken cancellationToken)
    {
        var tenant = (await access.AuthorizeAsync(user, StreamAccessKind.Manage, name, cancellationToken)).Tenant;
        var outcome = await reshards.MergeAsync(tenant, name, Required(body.ShardId, "shardId"), Required(body.AdjacentShardId, "adjacentShardId"), cancellationToken);
        return TypedResults.Ok(StreamDto.From(outcome.Stream));
    }

    private static async Task<Ok<UpdateShardCountDto>> ScaleAsync(
        string name, UpdateShardCountBody body, ClaimsPrincipal user, StreamAccess access, ReshardService reshards, CancellationToken cancellationToken)
    {
        var tenant = (await access.AuthorizeAsync(user, StreamAccessKind.Manage, name, cancellationToken)).Tenant;
        var outcome = await reshards.UpdateShardCountAsync(tenant, name, body.TargetShardCount, cancellationToken);
        return TypedResults.Ok(new UpdateShardCountDto(outcome.PreviousOpenShardCount, outcome.OpenShardCount, StreamDto.From(outcome.Stream)));
    }

    private static string Required(string? value, string member) =>
        string.IsNullOrEmpty(value) ? throw new SluiceException(SluiceErrorCode.InvalidArgument, $"'{member}' is required.") : value;
}
