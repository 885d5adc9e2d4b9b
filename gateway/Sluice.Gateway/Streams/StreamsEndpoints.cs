using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Sluice.Gateway.Auth;

namespace Sluice.Gateway.Streams;

/// <summary>REST: /v1/streams.</summary>
public static class StreamsEndpoints
{
    public static RouteGroupBuilder MapStreamsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/streams").WithTags("Streams").RequireAuthorization();

        group.MapPost("/", CreateAsync)
            .WithSummary("Create a stream")
            .WithDescription("Creates a stream with the given number of shards, spread over the live storage nodes.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/", ListAsync)
            .WithSummary("List streams")
            .WithDescription("Lists the tenant's streams in name order, a page at a time.");
        group.MapGet("/{name}", DescribeAsync)
            .WithSummary("Describe a stream")
            .WithDescription("The stream's status, retention and shards with their hash-key ranges and leaders.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{name}", DeleteAsync)
            .WithSummary("Delete a stream")
            .WithDescription("Deletes the stream and all its records.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Created<StreamDto>> CreateAsync(
        CreateStreamBody body, ClaimsPrincipal user, TenantResolver tenants, StreamService streams, CancellationToken cancellationToken)
    {
        var tenant = await tenants.ResolveAsync(user, cancellationToken);
        var stream = await streams.CreateAsync(tenant, body.Name, body.ShardCount, body.RetentionHours ?? 0, cancellationToken: cancellationToken);
        return TypedResults.Created($"/v1/streams/{Uri.EscapeDataString(stream.Name)}", StreamDto.From(stream));
    }

    private static async Task<Ok<StreamListDto>> ListAsync(
        ClaimsPrincipal user, TenantResolver tenants, StreamService streams, CancellationToken cancellationToken, int? limit = null, string? exclusiveStartName = null)
    {
        var tenant = await tenants.ResolveAsync(user, cancellationToken);
        var (page, hasMore) = await streams.ListAsync(tenant, exclusiveStartName, limit ?? StreamService.DefaultListLimit, cancellationToken);
        return TypedResults.Ok(new StreamListDto(
            [.. page.Select(s => new StreamSummaryDto(s.Name, StreamDto.StatusName(s.Status), s.ShardCount, s.CreatedAt))], hasMore));
    }

    private static async Task<Ok<StreamDto>> DescribeAsync(
        string name, ClaimsPrincipal user, TenantResolver tenants, StreamService streams, CancellationToken cancellationToken)
    {
        var tenant = await tenants.ResolveAsync(user, cancellationToken);
        return TypedResults.Ok(StreamDto.From(await streams.DescribeAsync(tenant, name, cancellationToken)));
    }

    private static async Task<NoContent> DeleteAsync(
        string name, ClaimsPrincipal user, TenantResolver tenants, StreamService streams, CancellationToken cancellationToken)
    {
        var tenant = await tenants.ResolveAsync(user, cancellationToken);
        await streams.DeleteAsync(tenant, name, cancellationToken);
        return TypedResults.NoContent();
    }
}
