using Microsoft.AspNetCore.Http.HttpResults;
using Sluice.Gateway.Auth;
using Sluice.Metadata;
using Sluice.Metadata.Model;
using Sluice.Schemas;

namespace Sluice.Gateway.Registry;

/// <summary>
/// The Confluent-compatible schema registry of each tenant, under <see cref="BasePath"/> on the gateway's HTTP port: subjects and
/// their versions, schemas by id, compatibility checks, settings and modes, with Confluent's paths, bodies, media type and error
/// codes, so that Confluent's clients and serdes work against it unchanged (pointed at <c>http://gateway:port/schema-registry</c>).
/// </summary>
public static class SchemaRegistryEndpoints
{
    /// <summary>Where the registry is mounted. Confluent's clients append their relative paths to a base URL's path.</summary>
    public const string BasePath = "/schema-registry";

    private const string Tag = "Schema registry";

    public static RouteGroupBuilder MapSchemaRegistryApi(this IEndpointRouteBuilder app)
    {
        // Authentication is the registry's own (bearer or Basic, errors in Confluent's shape), so no authorization policy here.
        var group = app.MapGroup(BasePath).WithTags(Tag).AllowAnonymous().AddEndpointFilter<RegistryErrorFilter>();

        group.MapGet("/subjects", ListSubjectsAsync)
            .WithSummary("List subjects")
            .WithDescription("The tenant's subjects with a live version that the caller may read; ?deleted=true adds soft-deleted ones, ?subjectPrefix= filters.");
        group.MapPost("/subjects/{subject}/versions", RegisterAsync)
            .WithSummary("Register a schema under a subject")
            .WithDescription(
                "Answers {\"id\"}. An identical schema (same canonical form) keeps its id; one already a live version of the subject adds no version. " +
                "Otherwise it must be compatible with the subject's live versions at the effective level (409 with the reasons). Needs manage on the subject.");
        group.MapGet("/subjects/{subject}/versions", ListVersionsAsync)
            .WithSummary("List a subject's versions")
            .WithDescription("Live version numbers, ascending; ?deleted=true adds soft-deleted ones. 40401 when the subject has none.");
        group.MapGet("/subjects/{subject}/versions/{version}", GetVersionAsync)
            .WithSummary("Get a version of a subject")
            .WithDescription("{version} is a number or 'latest'. Soft-deleted versions only with ?deleted=true (else 40402).");
        group.MapGet("/subjects/{subject}/versions/{version}/schema", GetVersionSchemaAsync)
            .WithSummary("Get a version's schema text")
            .WithDescription("The schema text alone, unescaped.");
        group.MapDelete("/subjects/{subject}/versions/{version}", DeleteVersionAsync)
            .WithSummary("Delete a version of a subject")
            .WithDescription("Soft delete (40406 when already), or with ?permanent=true a hard delete, only of a soft-deleted version (40407). Answers the version.");
        group.MapPost("/subjects/{subject}", LookupAsync)
            .WithSummary("Look a schema up in a subject")
            .WithDescription("Which version of the subject this schema is (40403 when none). ?deleted=true also looks among soft-deleted versions.");
        group.MapDelete("/subjects/{subject}", DeleteSubjectAsync)
            .WithSummary("Delete a subject")
            .WithDescription("Soft-deletes every version (40404 when already); ?permanent=true hard-deletes a soft-deleted subject (40405). Answers the versions.");

        group.MapGet("/schemas/types", SchemaTypesAsync)
            .WithSummary("List schema types")
            .WithDescription("The schema formats this registry accepts.");
        group.MapGet("/schemas", ListSchemasAsync)
            .WithSummary("List schemas")
            .WithDescription("Subject-versions with their schemas: ?subjectPrefix=, ?deleted=true, ?latestOnly=true, ?offset=, ?limit=.");
        group.MapGet("/schemas/ids/{id}", GetSchemaByIdAsync)
            .WithSummary("Get a schema by id")
            .WithDescription("Ids are global and stable; another tenant's id is 40403 like a missing one.");
        group.MapGet("/schemas/ids/{id}/schema", GetSchemaTextByIdAsync)
            .WithSummary("Get a schema's text by id");
        group.MapGet("/schemas/ids/{id}/versions", GetSchemaVersionsAsync)
            .WithSummary("List the subject-versions that use a schema");
        group.MapGet("/schemas/ids/{id}/subjects", GetSchemaSubjectsAsync)
            .WithSummary("List the subjects that use a schema");

        group.MapPost("/compatibility/subjects/{subject}/versions/{version}", CheckVersionCompatibilityAsync)
            .WithSummary("Test a schema against one version")
            .WithDescription("{\"is_compatible\"}, with ?verbose=true the reasons in \"messages\". The effective level's directions, against that version only.");
        group.MapPost("/compatibility/subjects/{subject}/versions", CheckCompatibilityAsync)
            .WithSummary("Test a schema against the subject")
            .WithDescription("Against every version the effective level checks (the latest, or all for a transitive level).");

        group.MapGet("/config", GetTenantConfigAsync).WithSummary("Get the tenant's compatibility level");
        group.MapPut("/config", SetTenantConfigAsync).WithSummary("Set the tenant's compatibility level").WithDescription("Needs manage on '*' or a tenant admin.");
        group.MapDelete("/config", DeleteTenantConfigAsync).WithSummary("Reset the tenant's compatibility level to BACKWARD");
        group.MapGet("/config/{subject}", GetSubjectConfigAsync)
            .WithSummary("Get a subject's compatibility level")
            .WithDescription("40408 when the subject has none of its own, unless ?defaultToGlobal=true.");
        group.MapPut("/config/{subject}", SetSubjectConfigAsync).WithSummary("Set a subject's compatibility level");
        group.MapDelete("/config/{subject}", DeleteSubjectConfigAsync).WithSummary("Remove a subject's compatibility level");

        group.MapGet("/mode", GetTenantModeAsync).WithSummary("Get the tenant's mode");
        group.MapPut("/mode", SetTenantModeAsync)
            .WithSummary("Set the tenant's mode")
            .WithDescription("READWRITE, READONLY, READONLY_OVERRIDE or IMPORT (only into an empty registry unless ?force=true).");
        group.MapGet("/mode/{subject}", GetSubjectModeAsync)
            .WithSummary("Get a subject's mode")
            .WithDescription("40409 when the subject has none of its own, unless ?defaultToGlobal=true.");
        group.MapPut("/mode/{subject}", SetSubjectModeAsync).WithSummary("Set a subject's mode");
        group.MapDelete("/mode/{subject}", DeleteSubjectModeAsync).WithSummary("Remove a subject's mode");

        // Confluent answers unknown paths in its own shape too.
        group.MapFallback((Delegate)NotFound).ExcludeFromDescription();
        return group;
    }

    private static async Task<JsonHttpResult<string[]>> ListSubjectsAsync(
        HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, string? deleted = null, string? subjectPrefix = null)
    {
        var caller = await auth.AuthenticateAsync(http);
        var subjects = await store.ListSubjectsAsync(caller.Tenant.Id, RegistryHttp.Flag(deleted), subjectPrefix, http.RequestAborted);
        return RegistryHttp.Ok(subjects.Where(s => RegistryAccess.CanRead(caller, s)).ToArray());
    }

    private static async Task<JsonHttpResult<SchemaIdDto>> RegisterAsync(
        string subject, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store)
    {
        subject = RegistryHttp.Subject(subject);
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandWrite(caller, subject);
        var submission = await SubmissionAsync(http);
        var registered = await store.RegisterAsync(caller.Tenant.Id, subject, submission, http.RequestAborted);
        return RegistryHttp.Ok(new SchemaIdDto(registered.SchemaId));
    }

    private static async Task<JsonHttpResult<int[]>> ListVersionsAsync(
        string subject, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, string? deleted = null)
    {
        subject = RegistryHttp.Subject(subject);
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandRead(caller, subject);
        return RegistryHttp.Ok((await store.ListVersionsAsync(caller.Tenant.Id, subject, RegistryHttp.Flag(deleted), http.RequestAborted)).ToArray());
    }

    private static async Task<JsonHttpResult<SubjectVersionDto>> GetVersionAsync(
        string subject, string version, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, string? deleted = null)
    {
        var found = await FindVersionAsync(subject, version, http, auth, store, deleted);
        return RegistryHttp.Ok(VersionDto(found));
    }

    private static async Task<ContentHttpResult> GetVersionSchemaAsync(
        string subject, string version, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, string? deleted = null)
    {
        var found = await FindVersionAsync(subject, version, http, auth, store, deleted);
        return RegistryHttp.Raw(found.Schema);
    }

    private static async Task<JsonHttpResult<int>> DeleteVersionAsync(
        string subject, string version, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, string? permanent = null)
    {
        subject = RegistryHttp.Subject(subject);
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandWrite(caller, subject);
        var number = RegistryHttp.Version(version);
        return RegistryHttp.Ok(await store.DeleteVersionAsync(caller.Tenant.Id, subject, number, RegistryHttp.Flag(permanent), http.RequestAborted));
    }

    private static async Task<JsonHttpResult<SubjectVersionDto>> LookupAsync(
        string subject, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, string? deleted = null)
    {
        subject = RegistryHttp.Subject(subject);
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandRead(caller, subject);
        var submission = await SubmissionAsync(http);
        return RegistryHttp.Ok(VersionDto(await store.LookupAsync(caller.Tenant.Id, subject, submission, RegistryHttp.Flag(deleted), http.RequestAborted)));
    }

    private static async Task<JsonHttpResult<int[]>> DeleteSubjectAsync(
        string subject, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, string? permanent = null)
    {
        subject = RegistryHttp.Subject(subject);
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandWrite(caller, subject);
        return RegistryHttp.Ok((await store.DeleteSubjectAsync(caller.Tenant.Id, subject, RegistryHttp.Flag(permanent), http.RequestAborted)).ToArray());
    }

    private static async Task<JsonHttpResult<string[]>> SchemaTypesAsync(HttpContext http, RegistryAuthenticator auth)
    {
        await auth.AuthenticateAsync(http);
        return RegistryHttp.Ok(SchemaTypes.All.Where(IsServed).Select(t => t.ToWire()).ToArray());
    }

    private static async Task<JsonHttpResult<SubjectVersionDto[]>> ListSchemasAsync(
        HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store,
        string? subjectPrefix = null, string? deleted = null, string? latestOnly = null, int? offset = null, int? limit = null)
    {
        var caller = await auth.AuthenticateAsync(http);
        var rows = await store.ListSchemasAsync(caller.Tenant.Id, subjectPrefix, RegistryHttp.Flag(deleted), RegistryHttp.Flag(latestOnly),
            0, int.MaxValue, http.RequestAborted);
        var page = rows.Where(r => RegistryAccess.CanRead(caller, r.Subject))
            .Skip(Math.Max(0, offset ?? 0))
            .Take(limit is > 0 ? Math.Min(limit.Value, SchemaRegistryStore.MaxSchemaListLimit) : SchemaRegistryStore.MaxSchemaListLimit);
        return RegistryHttp.Ok(page.Select(VersionDto).ToArray());
    }

    private static async Task<JsonHttpResult<SchemaDto>> GetSchemaByIdAsync(string id, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store)
    {
        var schema = await FindSchemaAsync(id, http, auth, store);
        return RegistryHttp.Ok(new SchemaDto(schema.Schema, TypeField(schema.SchemaType), null));
    }

    private static async Task<ContentHttpResult> GetSchemaTextByIdAsync(string id, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store) =>
        RegistryHttp.Raw((await FindSchemaAsync(id, http, auth, store)).Schema);

    private static async Task<JsonHttpResult<SubjectVersionRefDto[]>> GetSchemaVersionsAsync(
        string id, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, string? deleted = null)
    {
        var usages = await ReadableUsagesAsync(id, http, auth, store, RegistryHttp.Flag(deleted));
        return RegistryHttp.Ok(usages.Select(u => new SubjectVersionRefDto(u.Subject, u.Version)).ToArray());
    }

    private static async Task<JsonHttpResult<string[]>> GetSchemaSubjectsAsync(
        string id, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, string? deleted = null)
    {
        var usages = await ReadableUsagesAsync(id, http, auth, store, RegistryHttp.Flag(deleted));
        return RegistryHttp.Ok(usages.Select(u => u.Subject).Distinct(StringComparer.Ordinal).ToArray());
    }

    private static async Task<JsonHttpResult<CompatibilityDto>> CheckVersionCompatibilityAsync(
        string subject, string version, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, string? verbose = null)
    {
        subject = RegistryHttp.Subject(subject);
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandRead(caller, subject);
        var number = RegistryHttp.Version(version);
        var submission = await SubmissionAsync(http);
        var reasons = await store.CheckCompatibilityAsync(caller.Tenant.Id, subject, number, submission, http.RequestAborted);
        return RegistryHttp.Ok(new CompatibilityDto(reasons.Count == 0, RegistryHttp.Flag(verbose) ? reasons : null));
    }

    private static async Task<JsonHttpResult<CompatibilityDto>> CheckCompatibilityAsync(
        string subject, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, string? verbose = null)
    {
        subject = RegistryHttp.Subject(subject);
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandRead(caller, subject);
        var submission = await SubmissionAsync(http);
        var reasons = await store.CheckCompatibilityAsync(caller.Tenant.Id, subject, submission, http.RequestAborted);
        return RegistryHttp.Ok(new CompatibilityDto(reasons.Count == 0, RegistryHttp.Flag(verbose) ? reasons : null));
    }

    private static async Task<JsonHttpResult<ConfigDto>> GetTenantConfigAsync(HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store)
    {
        var caller = await auth.AuthenticateAsync(http);
        var level = await store.GetCompatibilityAsync(caller.Tenant.Id, SubjectConfig.TenantWide, defaultToGlobal: true, http.RequestAborted);
        return RegistryHttp.Ok(new ConfigDto(level.ToWire()));
    }

    private static async Task<JsonHttpResult<ConfigUpdateDto>> SetTenantConfigAsync(HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store)
    {
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandTenantWrite(caller);
        var level = await CompatibilityBodyAsync(http);
        await store.SetCompatibilityAsync(caller.Tenant.Id, SubjectConfig.TenantWide, level.ToWire(), http.RequestAborted);
        return RegistryHttp.Ok(new ConfigUpdateDto(level.ToWire()));
    }

    private static async Task<JsonHttpResult<ConfigDto>> DeleteTenantConfigAsync(HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store)
    {
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandTenantWrite(caller);
        var previous = await store.DeleteCompatibilityAsync(caller.Tenant.Id, SubjectConfig.TenantWide, http.RequestAborted);
        return RegistryHttp.Ok(new ConfigDto(previous.ToWire()));
    }

    private static async Task<JsonHttpResult<ConfigDto>> GetSubjectConfigAsync(
        string subject, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, string? defaultToGlobal = null)
    {
        subject = RegistryHttp.Subject(subject);
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandRead(caller, subject);
        var level = await store.GetCompatibilityAsync(caller.Tenant.Id, subject, RegistryHttp.Flag(defaultToGlobal), http.RequestAborted);
        return RegistryHttp.Ok(new ConfigDto(level.ToWire()));
    }

    private static async Task<JsonHttpResult<ConfigUpdateDto>> SetSubjectConfigAsync(
        string subject, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store)
    {
        subject = RegistryHttp.Subject(subject);
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandWrite(caller, subject);
        SchemaRegistryStore.ValidateSubject(subject);
        var level = await CompatibilityBodyAsync(http);
        await store.SetCompatibilityAsync(caller.Tenant.Id, subject, level.ToWire(), http.RequestAborted);
        return RegistryHttp.Ok(new ConfigUpdateDto(level.ToWire()));
    }

    private static async Task<JsonHttpResult<ConfigDto>> DeleteSubjectConfigAsync(
        string subject, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store)
    {
        subject = RegistryHttp.Subject(subject);
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandWrite(caller, subject);
        var previous = await store.DeleteCompatibilityAsync(caller.Tenant.Id, subject, http.RequestAborted);
        return RegistryHttp.Ok(new ConfigDto(previous.ToWire()));
    }

    private static async Task<JsonHttpResult<ModeDto>> GetTenantModeAsync(HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store)
    {
        var caller = await auth.AuthenticateAsync(http);
        var mode = await store.GetModeAsync(caller.Tenant.Id, SubjectConfig.TenantWide, defaultToGlobal: true, http.RequestAborted);
        return RegistryHttp.Ok(new ModeDto(mode.ToWire()));
    }

    private static async Task<JsonHttpResult<ModeDto>> SetTenantModeAsync(
        HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, string? force = null)
    {
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandTenantWrite(caller);
        var mode = await ModeBodyAsync(http);
        await store.SetModeAsync(caller.Tenant.Id, SubjectConfig.TenantWide, mode, RegistryHttp.Flag(force), http.RequestAborted);
        return RegistryHttp.Ok(new ModeDto(mode.ToWire()));
    }

    private static async Task<JsonHttpResult<ModeDto>> GetSubjectModeAsync(
        string subject, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, string? defaultToGlobal = null)
    {
        subject = RegistryHttp.Subject(subject);
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandRead(caller, subject);
        var mode = await store.GetModeAsync(caller.Tenant.Id, subject, RegistryHttp.Flag(defaultToGlobal), http.RequestAborted);
        return RegistryHttp.Ok(new ModeDto(mode.ToWire()));
    }

    private static async Task<JsonHttpResult<ModeDto>> SetSubjectModeAsync(
        string subject, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, string? force = null)
    {
        subject = RegistryHttp.Subject(subject);
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandWrite(caller, subject);
        SchemaRegistryStore.ValidateSubject(subject);
        var mode = await ModeBodyAsync(http);
        await store.SetModeAsync(caller.Tenant.Id, subject, mode, RegistryHttp.Flag(force), http.RequestAborted);
        return RegistryHttp.Ok(new ModeDto(mode.ToWire()));
    }

    private static async Task<JsonHttpResult<ModeDto>> DeleteSubjectModeAsync(
        string subject, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store)
    {
        subject = RegistryHttp.Subject(subject);
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandWrite(caller, subject);
        var previous = await store.SetModeAsync(caller.Tenant.Id, subject, null, force: false, http.RequestAborted);
        return RegistryHttp.Ok(new ModeDto(previous.ToWire()));
    }

    private static JsonHttpResult<RegistryErrorDto> NotFound(HttpContext http) =>
        RegistryHttp.Error(StatusCodes.Status404NotFound, $"HTTP 404 Not Found: {http.Request.Method} {http.Request.Path}");

    private static async Task<SubjectSchema> FindVersionAsync(
        string subject, string version, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, string? deleted)
    {
        subject = RegistryHttp.Subject(subject);
        var caller = await auth.AuthenticateAsync(http);
        RegistryAccess.DemandRead(caller, subject);
        var number = RegistryHttp.Version(version);
        return await store.GetVersionAsync(caller.Tenant.Id, subject, number, RegistryHttp.Flag(deleted), http.RequestAborted);
    }

    /// <summary>
    /// A schema of the caller's tenant by id, which the caller may read through some subject that uses it (a consumer's ACL on
    /// <c>orders-*</c> lets it fetch the ids its records carry). 40403 when the tenant has no such schema.
    /// </summary>
    private static async Task<Sluice.Metadata.Model.RegisteredSchema> FindSchemaAsync(string id, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store)
    {
        var caller = await auth.AuthenticateAsync(http);
        var schemaId = RegistryHttp.SchemaId(id);
        var schema = await store.GetSchemaAsync(caller.Tenant.Id, schemaId, http.RequestAborted) ?? throw SchemaRegistryException.SchemaNotFound();
        if (!caller.IsTenantAdmin)
        {
            var usages = await store.GetSchemaUsagesAsync(caller.Tenant.Id, schemaId, includeDeleted: true, http.RequestAborted);
            if (!usages.Any(u => RegistryAccess.CanRead(caller, u.Subject)))
            {
                throw new SchemaRegistryException(SchemaRegistryErrorCode.Forbidden, $"Principal {caller.Principal} may read no subject that uses schema {schemaId}.");
            }
        }

        return schema;
    }

    private static async Task<IReadOnlyList<SubjectVersionRef>> ReadableUsagesAsync(
        string id, HttpContext http, RegistryAuthenticator auth, SchemaRegistryStore store, bool includeDeleted)
    {
        var caller = await auth.AuthenticateAsync(http);
        var usages = await store.GetSchemaUsagesAsync(caller.Tenant.Id, RegistryHttp.SchemaId(id), includeDeleted, http.RequestAborted);
        return [.. usages.Where(u => RegistryAccess.CanRead(caller, u.Subject))];
    }

    /// <summary>Reads a schema body: 42201 for a missing schema, an unknown type or references (Sluice does not support them).</summary>
    private static async Task<SchemaSubmission> SubmissionAsync(HttpContext http)
    {
        var body = await RegistryHttp.ReadBodyAsync<SchemaBody>(http.Request, http.RequestAborted);
        if (string.IsNullOrWhiteSpace(body.Schema))
        {
            throw SchemaRegistryException.InvalidSchema("Empty schema");
        }

        if (!SchemaTypes.TryParse(body.SchemaType, out var type))
        {
            throw SchemaRegistryException.InvalidSchema($"Unknown schema type '{body.SchemaType}'; expected AVRO, JSON or PROTOBUF.");
        }

        if (body.References is { Length: > 0 })
        {
            throw SchemaRegistryException.InvalidSchema("Sluice does not support schema references.");
        }

        return new SchemaSubmission(type, body.Schema, body.Id, body.Version);
    }

    private static async Task<CompatibilityLevel> CompatibilityBodyAsync(HttpContext http)
    {
        var body = await RegistryHttp.ReadBodyAsync<ConfigBody>(http.Request, http.RequestAborted);
        return CompatibilityLevels.TryParse(body.Compatibility, out var level)
            ? level
            : throw new SchemaRegistryException(SchemaRegistryErrorCode.InvalidCompatibilityLevel,
                "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive");
    }

    private static async Task<RegistryMode> ModeBodyAsync(HttpContext http)
    {
        var body = await RegistryHttp.ReadBodyAsync<ModeDto>(http.Request, http.RequestAborted);
        return RegistryModes.TryParse(body.Mode, out var mode)
            ? mode
            : throw new SchemaRegistryException(SchemaRegistryErrorCode.InvalidMode,
                "Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE and IMPORT.");
    }

    private static SubjectVersionDto VersionDto(SubjectSchema version) =>
        new(version.Subject, version.Version, version.SchemaId, TypeField(version.SchemaType), version.Schema, null);

    /// <summary>Confluent leaves <c>schemaType</c> out for AVRO.</summary>
    private static string? TypeField(string schemaType) => schemaType == SchemaType.Avro.ToWire() ? null : schemaType;

    private static bool IsServed(SchemaType type)
    {
        try
        {
            SchemaFormats.For(type);
            return true;
        }
        catch (NotSupportedException)
        {
            return false;
        }
    }
}
