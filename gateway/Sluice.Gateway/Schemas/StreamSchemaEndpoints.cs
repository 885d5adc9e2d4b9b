using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Sluice.Gateway.Auth;
using Sluice.Gateway.Streams;

namespace Sluice.Gateway.Schemas;

/// <summary>REST: /v1/streams/{name}/schema, the registry subject a stream's records are checked against.</summary>
public static class StreamSchemaEndpoints
{
    public static RouteGroupBuilder MapStreamSchemaApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/streams/{name}/schema").WithTags("Streams").RequireAuthorization();
        group.MapPut("/", PutAsync)
            .WithSummary("Bind the stream to a schema subject")
            .WithDescription(
                "With {\"subject\": \"orders-value\"} every record put to the stream from now on, on every API, is checked: a record in " +
                "Confluent's wire format (magic byte 0, 4-byte schema id) against the live version with that id, any other as JSON against " +
                "the latest live version; a record that fails is refused alone with InvalidArgument. The subject must have a live version " +
                "(register one at /schema-registry first). With \"compatibility\" (BACKWARD, FULL_TRANSITIVE, …) also sets the level the " +
                "subject's new versions are checked with. Needs the manage permission on the stream. Answers the binding.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", GetAsync)
            .WithSummary("Show the stream's schema binding")
            .WithDescription("The subject, its own compatibility level if it has one, and its latest live version. 404 when the stream is not bound.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/", DeleteAsync)
            .WithSummary("Unbind the stream from its schema subject")
            .WithDescription("Records are no longer checked (a stream not bound stays so). Needs the manage permission on the stream. Answers the stream.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<Ok<StreamSchemaBinding>> PutAsync(
        string name, StreamSchemaBody? body, ClaimsPrincipal user, StreamAccess access, StreamSchemaService schemas, CancellationToken cancellationToken)
    {
        var tenant = (await access.AuthorizeAsync(user, StreamAccessKind.Manage, name, cancellationToken)).Tenant;
        return TypedResults.Ok(await schemas.SetBindingAsync(tenant, name, body?.Subject, body?.Compatibility, cancellationToken));
    }

    private static async Task<Ok<StreamSchemaBinding>> GetAsync(
        string name, ClaimsPrincipal user, StreamAccess access, StreamSchemaService schemas, CancellationToken cancellationToken)
    {
        var tenant = (await access.AuthorizeAsync(user, StreamAccessKind.Any, name, cancellationToken)).Tenant;
        return TypedResults.Ok(await schemas.GetBindingAsync(tenant, name, cancellationToken));
    }

    private static async Task<Ok<StreamDto>> DeleteAsync(
        string name, ClaimsPrincipal user, StreamAccess access, StreamSchemaService schemas, CancellationToken cancellationToken)
    {
        var tenant = (await access.AuthorizeAsync(user, StreamAccessKind.Manage, name, cancellationToken)).Tenant;
        return TypedResults.Ok(StreamDto.From(await schemas.ClearBindingAsync(tenant, name, cancellationToken)));
    }
}

/// <summary>Body of PUT /v1/streams/{name}/schema.</summary>
/// <param name="Subject">The registry subject (1-255 characters) whose live versions the stream's records are checked against.</param>
/// <param name="Compatibility">Optional: the compatibility level to set on the subject for its new versions.</param>
public sealed record StreamSchemaBody(string? Subject, string? Compatibility = null);
