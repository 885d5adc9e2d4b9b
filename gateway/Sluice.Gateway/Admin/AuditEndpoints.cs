using Microsoft.AspNetCore.Http.HttpResults;
using Sluice.Gateway.Auth;
using Sluice.Metadata;

namespace Sluice.Gateway.Admin;

/// <summary>REST: the audit log of admin changes — <c>/admin/v1/audit</c> (everything) and <c>/admin/v1/tenants/{tenant}/audit</c>.</summary>
public static class AuditEndpoints
{
    public const int DefaultLimit = 100;

    public static IEndpointRouteBuilder MapAuditAdminApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/v1/audit", ListAllAsync).WithTags("Admin").RequireAuthorization(AdminPolicy.Name)
            .WithSummary("Read the audit log")
            .WithDescription("Admin changes of every tenant, newest first: when, actor, the actor's tenant, action, target, remote address and details. "
                + "`tenant` (a name, or the id of a tenant since deleted) keeps one tenant's; `limit` is 1-1000 (default 100); "
                + "pass a page's `nextBefore` as `before` for the next. Needs the platform-admin role.")
            .Produces<AuditListDto>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/admin/v1/tenants/{tenant}/audit", ListTenantAsync).WithTags("Admin").RequireAuthorization(TenantAdminPolicy.Name)
            .WithSummary("Read a tenant's audit log")
            .WithDescription("The admin changes to one tenant, newest first, paged as GET /admin/v1/audit. A platform admin may read any tenant's, "
                + "a tenant admin its own; any other tenant is 404.")
            .Produces<AuditListDto>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<AuditListDto>, ProblemHttpResult>> ListAllAsync(
        TenantDirectory tenants, AuditLog audit, CancellationToken cancellationToken, string? tenant = null, long? before = null, int? limit = null)
    {
        Guid? tenantId = null;
        if (!string.IsNullOrEmpty(tenant))
        {
            var found = await AdminContext.Guard(() => tenants.FindByNameAsync(tenant, cancellationToken));
            if (found is not null)
            {
                tenantId = found.Id;
            }
            else if (Guid.TryParse(tenant, out var id))
            {
                tenantId = id;
            }
            else
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: TenantAdminPolicy.TenantNotFound(tenant));
            }
        }

        return await PageAsync(audit, tenantId, before, limit, cancellationToken);
    }

    private static async Task<Results<Ok<AuditListDto>, ProblemHttpResult>> ListTenantAsync(
        string tenant, HttpContext context, AdminContext admin, AuditLog audit, CancellationToken cancellationToken, long? before = null, int? limit = null)
    {
        var found = await admin.TenantAsync(context, tenant, cancellationToken);
        return await PageAsync(audit, found.Id, before, limit, cancellationToken);
    }

    private static async Task<Results<Ok<AuditListDto>, ProblemHttpResult>> PageAsync(
        AuditLog audit, Guid? tenantId, long? before, int? limit, CancellationToken cancellationToken)
    {
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > AuditLog.MaxPageSize)
        {
            return AdminProblems.Invalid($"Limit {size} is out of range: it must be between 1 and {AuditLog.MaxPageSize}.");
        }

        if (before is <= 0)
        {
            return AdminProblems.Invalid($"Before {before} is out of range: it must be an entry id (positive).");
        }

        var entries = await AdminContext.Guard(() => audit.ListAsync(tenantId, before, size, cancellationToken));
        var next = entries.Count == size ? entries[^1].Id : (long?)null;
        return TypedResults.Ok(new AuditListDto([.. entries.Select(AuditEntryDto.From)], next));
    }
}
