using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Sluice.Gateway.Auth;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Streams;

/// <summary>REST: /v1/streams.</summary>
public static class StreamsEndpoints
{
    public static RouteGroupBuilder MapStreamsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/streams").WithTags("Streams").RequireAuthorization();

        group.MapPost("/", CreateAsync)
            .WithSummary("Create a stream")
            .WithDescription(
                "Creates a stream with the given number of shards, spread over the live storage nodes, and waits until it is ACTIVE " +
                "(its storage nodes have prepared every shard): 201 with the stream ACTIVE. When that takes longer than the gateway's " +
                "wait (Sluice:Lifecycle:WaitTimeout, 30 s by default; a storage node is down), 202 with the stream still CREATING: it " +
                "becomes ACTIVE by itself once the node is back, and takes no records until then (409). A name still being deleted is 409. "
                + "Needs the Manage permission on the name (403).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/", ListAsync)
            .WithSummary("List streams")
            .WithDescription("Lists the tenant's streams that the caller has some permission on (produce, consume or manage), in name order, a page at a time.");
        group.MapGet("/{name}", DescribeAsync)
            .WithSummary("Describe a stream")
            .WithDescription("The stream's status, retention and shards with their hash-key ranges and leaders. Needs any permission on the stream (403).")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{name}", DeleteAsync)
            .WithSummary("Delete a stream")
            .WithDescription(
                "Deletes the stream and all its records (also a stream still CREATING) and waits until its storage nodes have removed " +
                "them: 204. When that takes longer than the gateway's wait (a storage node is down), 202 with the stream DELETING: " +
                "it takes no records any more and goes by itself once the node is back. Deleting a DELETING stream is accepted again. Needs the Manage permission (403).")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<Results<Created<StreamDto>, Accepted<StreamDto>>> CreateAsync(
        CreateStreamBody body, ClaimsPrincipal user, StreamAccess access, StreamService streams, CancellationToken cancellationToken)
    {
        var tenant = (await access.AuthorizeAsync(user, StreamAccessKind.Manage, body.Name, cancellationToken)).Tenant;
        var acks = StreamService.ParseAcks(body.Acks);
        var stream = await streams.CreateAndWaitAsync(
            tenant, body.Name, body.ShardCount, body.RetentionHours ?? 0, body.ReplicationFactor, body.MinInSyncReplicas, acks, cancellationToken);
        var location = $"/v1/streams/{Uri.EscapeDataString(stream.Name)}";
        return stream.Status == StreamStatus.Creating
            ? TypedResults.Accepted(location, StreamDto.From(stream))
            : TypedResults.Created(location, StreamDto.From(stream));
    }

    private static async Task<Ok<StreamListDto>> ListAsync(
        ClaimsPrincipal user, StreamAccess access, StreamService streams, CancellationToken cancellationToken, int? limit = null, string? exclusiveStartName = null)
    {
        var caller = await access.AuthenticateAsync(user, cancellationToken);
        var (page, hasMore) = await access.ListVisibleAsync(caller, exclusiveStartName, limit ?? StreamService.DefaultListLimit, cancellationToken);
        return TypedResults.Ok(new StreamListDto(
            [.. page.Select(s => new StreamSummaryDto(s.Name, StreamDto.StatusName(s.Status), s.ShardCount, s.CreatedAt))], hasMore));
    }

    private static async Task<Ok<StreamDto>> DescribeAsync(
        string name, ClaimsPrincipal user, StreamAccess access, StreamService streams, CancellationToken cancellationToken)
    {
        var tenant = (await access.AuthorizeAsync(user, StreamAccessKind.Any, name, cancellationToken)).Tenant;
        return TypedResults.Ok(StreamDto.From(await streams.DescribeAsync(tenant, name, cancellationToken)));
    }

    private static async Task<Results<NoContent, Accepted<StreamDto>>> DeleteAsync(
        string name, ClaimsPrincipal user, StreamAccess access, StreamService streams, CancellationToken cancellationToken)
    {
        var tenant = (await access.AuthorizeAsync(user, StreamAccessKind.Manage, name, cancellationToken)).Tenant;
        var pending = await streams.DeleteAndWaitAsync(tenant, name, cancellationToken);
        return pending is null
            ? TypedResults.NoContent()
            : TypedResults.Accepted($"/v1/streams/{Uri.EscapeDataString(name)}", StreamDto.From(pending));
    }
}
