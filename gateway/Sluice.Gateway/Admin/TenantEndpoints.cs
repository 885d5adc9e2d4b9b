using Microsoft.AspNetCore.Http.HttpResults;
using Sluice.Core;
using Sluice.Gateway.Auth;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Admin;

/// <summary>REST: <c>/admin/v1/tenants</c> — create, list, show, suspend, resume and delete tenants.</summary>
public static class TenantEndpoints
{
    public const int DefaultListLimit = 100;

    public static RouteGroupBuilder MapTenantAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin/v1/tenants").WithTags("Admin");

        group.MapPost("/", CreateAsync).RequireAuthorization(AdminPolicy.Name)
            .WithSummary("Create a tenant")
            .WithDescription("Creates an active tenant with a fresh 12-digit account id: 201 with the tenant. The name is 1-64 characters of "
                + "a-z, 0-9, '-', '_' and '.', starting with a letter or digit (400 otherwise); a name in use is 409. Audited as tenant.create. "
                + "Needs the platform-admin role.")
            .Produces<TenantDto>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", ListAsync).RequireAuthorization(AdminPolicy.Name)
            .WithSummary("List tenants")
            .WithDescription("Tenants in name order, `limit` (1-1000, default 100) at a time; pass the last name of a page as `exclusiveStartName` "
                + "for the next while `hasMore` is true. Needs the platform-admin role.")
            .Produces<TenantListDto>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/{tenant}", ShowAsync).RequireAuthorization(TenantAdminPolicy.Name)
            .WithSummary("Show a tenant")
            .WithDescription("The tenant with its status, how many streams, access keys and principals it has, and its byte-rate quotas as stored "
                + "(null: the gateway's default). A platform admin may show any tenant, a tenant admin its own; any other tenant is 404.")
            .Produces<TenantDetailsDto>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{tenant}/suspend", SuspendAsync).RequireAuthorization(AdminPolicy.Name)
            .WithSummary("Suspend a tenant")
            .WithDescription("Refuses the tenant's tokens and access keys on every face (REST, gRPC, Kinesis) within about a second on every gateway; "
                + "its data stays. Suspending a suspended tenant changes nothing. Audited as tenant.suspend. Needs the platform-admin role.")
            .Produces<TenantDto>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{tenant}/resume", ResumeAsync).RequireAuthorization(AdminPolicy.Name)
            .WithSummary("Resume a suspended tenant")
            .WithDescription("Accepts the tenant's tokens and access keys again. Audited as tenant.resume. Needs the platform-admin role.")
            .Produces<TenantDto>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{tenant}", DeleteAsync).RequireAuthorization(AdminPolicy.Name)
            .WithSummary("Delete a tenant")
            .WithDescription("Deletes the tenant with its access keys, principals, ACL entries and usage: 204. While it has streams, 409 unless "
                + "`force=true`: then the tenant is suspended, each stream is deleted as DeleteStream does (storage nodes remove their shards) "
                + "and the tenant goes once they are gone. When that takes longer than the gateway's lifecycle wait (a storage node is down), "
                + "409 with the tenant left suspended; deleting again finishes it. Audited as tenant.delete (and stream.delete per stream). "
                + "Needs the platform-admin role.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<Results<Created<TenantDto>, ProblemHttpResult>> CreateAsync(
        CreateTenantBody? body, HttpContext context, AdminContext admin, TenantAdministration administration, CancellationToken cancellationToken)
    {
        if (TenantDirectory.NameProblem(body?.Name) is { } problem)
        {
            return AdminProblems.Invalid(problem);
        }

        var tenant = await administration.CreateAsync(body!.Name!, admin.Actor(context, null), cancellationToken);
        return TypedResults.Created($"/admin/v1/tenants/{Uri.EscapeDataString(tenant.Name)}", TenantDto.From(tenant));
    }

    private static async Task<Results<Ok<TenantListDto>, ProblemHttpResult>> ListAsync(
        TenantDirectory tenants, CancellationToken cancellationToken, int? limit = null, string? exclusiveStartName = null)
    {
        var size = limit ?? DefaultListLimit;
        if (size is < 1 or > TenantDirectory.MaxPageSize)
        {
            return AdminProblems.Invalid($"Limit {size} is out of range: it must be between 1 and {TenantDirectory.MaxPageSize}.");
        }

        var (page, hasMore) = await AdminContext.Guard(() => tenants.ListAsync(exclusiveStartName, size, cancellationToken));
        return TypedResults.Ok(new TenantListDto([.. page.Select(TenantDto.From)], hasMore));
    }

    private static async Task<Ok<TenantDetailsDto>> ShowAsync(
        string tenant, HttpContext context, AdminContext admin, TenantDirectory tenants, CancellationToken cancellationToken)
    {
        var found = await admin.TenantAsync(context, tenant, cancellationToken);
        var counts = await AdminContext.Guard(() => tenants.CountOwnedAsync(found.Id, cancellationToken));
        return TypedResults.Ok(TenantDetailsDto.From(found, counts));
    }

    private static async Task<Ok<TenantDto>> SuspendAsync(
        string tenant, HttpContext context, AdminContext admin, TenantAdministration administration, CancellationToken cancellationToken) =>
        TypedResults.Ok(TenantDto.From(await administration.SetStatusAsync(tenant, TenantStatus.Suspended, admin.Actor(context, null), cancellationToken)));

    private static async Task<Ok<TenantDto>> ResumeAsync(
        string tenant, HttpContext context, AdminContext admin, TenantAdministration administration, CancellationToken cancellationToken) =>
        TypedResults.Ok(TenantDto.From(await administration.SetStatusAsync(tenant, TenantStatus.Active, admin.Actor(context, null), cancellationToken)));

    private static async Task<NoContent> DeleteAsync(
        string tenant, HttpContext context, AdminContext admin, TenantAdministration administration, CancellationToken cancellationToken, bool force = false)
    {
        await administration.DeleteAsync(tenant, force, admin.Actor(context, null), cancellationToken);
        return TypedResults.NoContent();
    }
}
