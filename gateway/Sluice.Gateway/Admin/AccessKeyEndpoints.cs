using Microsoft.AspNetCore.Http.HttpResults;
using Sluice.Core;
using Sluice.Gateway.Auth;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Admin;

/// <summary>
/// REST: <c>/admin/v1/tenants/{tenant}/access-keys</c> — a tenant's access keys for the Kinesis API (SigV4): create,
/// list, rotate, disable, enable, delete. A platform admin may manage any tenant's keys, a tenant admin its own; any
/// other tenant is 404. Every change is audited, and takes effect on every gateway within about a second.
/// </summary>
public static class AccessKeyEndpoints
{
    private const string ServicePrincipalPrefix = "service:";

    public static RouteGroupBuilder MapAccessKeyAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin/v1/tenants/{tenant}/access-keys").WithTags("Admin").RequireAuthorization(TenantAdminPolicy.Name);

        group.MapPost("/", CreateAsync)
            .WithSummary("Create an access key")
            .WithDescription("Creates an active key: 201 with its id and secret access key, the only time the secret is shown. With `principal` "
                + "(a service account of the tenant, `service:…`) the key acts as that account; without, as the tenant's administrator. "
                + "An unknown principal is 404, one that is not a service account 400. Audited as access-key.create.")
            .Produces<CreatedAccessKeyDto>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", ListAsync)
            .WithSummary("List access keys")
            .WithDescription("The tenant's keys, newest first: id, description, status, owning principal, creation and last use. Never a secret.")
            .Produces<AccessKeyListDto>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/rotate", RotateAsync)
            .WithSummary("Rotate an access key")
            .WithDescription("Creates a new key with the same principal and description and disables the old one, in one step: 201 with the new "
                + "key's secret (shown once) and `replaces` naming the old key. For an overlap where both work, create a second key instead, "
                + "move the clients to it, then disable the old one. Audited as access-key.rotate.")
            .Produces<CreatedAccessKeyDto>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/disable", DisableAsync)
            .WithSummary("Disable an access key")
            .WithDescription("Requests signed with the key are refused (UnrecognizedClientException) on every gateway within about a second. "
                + "Audited as access-key.disable.")
            .Produces<AccessKeyDto>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/enable", EnableAsync)
            .WithSummary("Enable an access key")
            .WithDescription("Accepts requests signed with a disabled key again. Audited as access-key.enable.")
            .Produces<AccessKeyDto>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id}", DeleteAsync)
            .WithSummary("Delete an access key")
            .WithDescription("Removes the key for good: 204; requests signed with it are refused on every gateway within about a second. "
                + "Audited as access-key.delete.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Results<Created<CreatedAccessKeyDto>, ProblemHttpResult>> CreateAsync(
        string tenant, CreateAccessKeyBody? body, HttpContext context, AdminContext admin, AccessKeyStore keys, AuditLog audit, CancellationToken cancellationToken)
    {
        var owner = await admin.TenantAsync(context, tenant, cancellationToken);
        var description = body?.Description ?? "";
        if (description.Length > AccessKeyStore.MaxDescriptionLength)
        {
            return AdminProblems.Invalid($"The description is {description.Length} characters long; it must be at most {AccessKeyStore.MaxDescriptionLength}.");
        }

        Guid? principalId = null;
        if (!string.IsNullOrEmpty(body?.Principal))
        {
            if (!body.Principal.StartsWith(ServicePrincipalPrefix, StringComparison.Ordinal))
            {
                return AdminProblems.Invalid($"Principal '{body.Principal}' is not a service account: access keys belong to service accounts (service:NAME).");
            }

            var principal = await AdminContext.Guard(() => keys.FindPrincipalAsync(owner.Id, body.Principal, cancellationToken))
                ?? throw new SluiceException(SluiceErrorCode.NotFound, $"Principal '{body.Principal}' not found in tenant '{tenant}'.");
            if (principal.Kind != PrincipalKind.ServiceAccount)
            {
                return AdminProblems.Invalid($"Principal '{body.Principal}' is not a service account: access keys belong to service accounts.");
            }

            principalId = principal.Id;
        }

        var actor = admin.Actor(context, owner);
        var created = await AdminContext.Guard(() => keys.CreateAsync(owner.Id, description, principalId,
            (db, id) => audit.Add(db, actor, AdminActions.AccessKeyCreate, id, owner.Id, new { principal = body?.Principal, description }), cancellationToken));
        return TypedResults.Created(
            $"/admin/v1/tenants/{Uri.EscapeDataString(owner.Name)}/access-keys/{created.AccessKeyId}",
            CreatedAccessKeyDto.From(created, principalId is null ? null : body!.Principal));
    }

    private static async Task<Ok<AccessKeyListDto>> ListAsync(
        string tenant, HttpContext context, AdminContext admin, AccessKeyStore keys, CancellationToken cancellationToken)
    {
        var owner = await admin.TenantAsync(context, tenant, cancellationToken);
        var list = await AdminContext.Guard(() => keys.ListDetailsAsync(owner.Id, cancellationToken));
        return TypedResults.Ok(new AccessKeyListDto([.. list.Select(AccessKeyDto.From)]));
    }

    private static async Task<Created<CreatedAccessKeyDto>> RotateAsync(
        string tenant, string id, HttpContext context, AdminContext admin, AccessKeyStore keys, AuditLog audit, CancellationToken cancellationToken)
    {
        var owner = await admin.TenantAsync(context, tenant, cancellationToken);
        var actor = admin.Actor(context, owner);
        var rotation = await AdminContext.Guard(() => keys.RotateAsync(owner.Id, id,
            (db, newId) => audit.Add(db, actor, AdminActions.AccessKeyRotate, id, owner.Id, new { replacedBy = newId }), cancellationToken))
            ?? throw KeyNotFound(tenant, id);
        var details = await AdminContext.Guard(() => keys.FindDetailsAsync(owner.Id, rotation.NewKey.AccessKeyId, cancellationToken));
        return TypedResults.Created(
            $"/admin/v1/tenants/{Uri.EscapeDataString(owner.Name)}/access-keys/{rotation.NewKey.AccessKeyId}",
            CreatedAccessKeyDto.From(rotation.NewKey, details?.Principal, rotation.ReplacedAccessKeyId));
    }

    private static Task<Ok<AccessKeyDto>> DisableAsync(
        string tenant, string id, HttpContext context, AdminContext admin, AccessKeyStore keys, AuditLog audit, CancellationToken cancellationToken) =>
        SetStatusAsync(tenant, id, AccessKeyStatus.Inactive, AdminActions.AccessKeyDisable, context, admin, keys, audit, cancellationToken);

    private static Task<Ok<AccessKeyDto>> EnableAsync(
        string tenant, string id, HttpContext context, AdminContext admin, AccessKeyStore keys, AuditLog audit, CancellationToken cancellationToken) =>
        SetStatusAsync(tenant, id, AccessKeyStatus.Active, AdminActions.AccessKeyEnable, context, admin, keys, audit, cancellationToken);

    private static async Task<Ok<AccessKeyDto>> SetStatusAsync(
        string tenant, string id, AccessKeyStatus status, string action, HttpContext context, AdminContext admin, AccessKeyStore keys, AuditLog audit,
        CancellationToken cancellationToken)
    {
        var owner = await admin.TenantAsync(context, tenant, cancellationToken);
        var actor = admin.Actor(context, owner);
        _ = await AdminContext.Guard(() => keys.SetStatusAsync(owner.Id, id, status,
            db => audit.Add(db, actor, action, id, owner.Id), cancellationToken))
            ?? throw KeyNotFound(tenant, id);
        var details = await AdminContext.Guard(() => keys.FindDetailsAsync(owner.Id, id, cancellationToken)) ?? throw KeyNotFound(tenant, id);
        return TypedResults.Ok(AccessKeyDto.From(details));
    }

    private static async Task<NoContent> DeleteAsync(
        string tenant, string id, HttpContext context, AdminContext admin, AccessKeyStore keys, AuditLog audit, CancellationToken cancellationToken)
    {
        var owner = await admin.TenantAsync(context, tenant, cancellationToken);
        var actor = admin.Actor(context, owner);
        if (!await AdminContext.Guard(() => keys.DeleteAsync(owner.Id, id, db => audit.Add(db, actor, AdminActions.AccessKeyDelete, id, owner.Id), cancellationToken)))
        {
            throw KeyNotFound(tenant, id);
        }

        return TypedResults.NoContent();
    }

    private static SluiceException KeyNotFound(string tenant, string id) =>
        new(SluiceErrorCode.NotFound, $"Tenant '{tenant}' has no access key '{id}'.");
}
