using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sluice.Gateway.Auth;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Quotas;

/// <summary>
/// REST admin: a tenant's and its streams' throughput quotas, and its usage. Reading needs <see cref="TenantAdminPolicy"/>
/// (a platform admin, or the tenant's own admin; anyone else gets the 404 of a missing tenant). Setting a tenant's quota
/// needs the platform admin role, so a tenant cannot raise its own limits; a tenant admin may limit its own streams.
/// Every change is audited (<c>quota.set</c>, <c>quota.clear</c>).
/// </summary>
public static class QuotaEndpoints
{
    /// <summary>The highest limit accepted (1 TiB/s): anything above is a typo.</summary>
    public const long MaxBytesPerSecond = 1L << 40;

    private const int MaxMinuteRangeDays = 7;
    private const int MaxHourRangeDays = 93;

    public static RouteGroupBuilder MapQuotaAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin/v1/tenants/{tenant}").WithTags("Quotas and usage").RequireAuthorization(TenantAdminPolicy.Name);

        group.MapGet("/quotas", GetTenantAsync)
            .WithSummary("Get a tenant's quotas")
            .WithDescription("The tenant's own ingress and egress limits in bytes per second (null: the gateway's default), the limits in force, "
                + "and every shard's limits (Kinesis': 1 MiB/s and 1,000 records/s in, 2 MiB/s and 5 read calls/s out, unless configured otherwise). "
                + "Platform admin, or the tenant's admin.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/quotas", PutTenantAsync)
            .WithSummary("Set a tenant's quotas")
            .WithDescription("Sets the tenant's ingress and egress limits (bytes per second, 1..2^40; an absent or null field takes the gateway's default). "
                + "Needs the platform admin role: a tenant admin may read but not raise its own limits (403). Gateways apply it within seconds.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/quotas", DeleteTenantAsync)
            .WithSummary("Clear a tenant's quotas")
            .WithDescription("Returns the tenant to the gateway's default limits. Needs the platform admin role.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/streams/{stream}/quotas", GetStreamAsync)
            .WithSummary("Get a stream's quotas")
            .WithDescription("The stream's ingress and egress limits over all its shards in bytes per second (null: none beyond the shards' and the tenant's). "
                + "404 for a stream the tenant does not have.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/streams/{stream}/quotas", PutStreamAsync)
            .WithSummary("Set a stream's quotas")
            .WithDescription("Limits the stream's ingress and egress over all its shards (bytes per second, 1..2^40; absent or null: no limit). "
                + "Platform admin, or the tenant's admin. Gateways apply it within seconds.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/streams/{stream}/quotas", DeleteStreamAsync)
            .WithSummary("Clear a stream's quotas")
            .WithDescription("Removes the stream's own limits. Platform admin, or the tenant's admin.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/usage", GetUsageAsync)
            .WithSummary("Get a tenant's usage")
            .WithDescription("Records and bytes in and out and throttled requests (for puts: records) per stream and per minute or hour, "
                + "from `usage_minutes` (gateways add to it every few seconds). `from` and `to` are ISO-8601 (default: the last hour; `to` is exclusive), "
                + $"`granularity` minute (at most {MaxMinuteRangeDays} days) or hour (at most {MaxHourRangeDays} days), `stream` narrows to one stream. "
                + "Platform admin, or the tenant's admin.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Results<Ok<TenantQuotaDto>, ProblemHttpResult>> GetTenantAsync(
        string tenant, IDbContextFactory<MetadataDbContext> contexts, IOptions<QuotaOptions> options, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Name == tenant, cancellationToken);
        return found is null ? TenantNotFound(tenant) : TypedResults.Ok(ToDto(found, options.Value));
    }

    private static async Task<Results<Ok<TenantQuotaDto>, ProblemHttpResult>> PutTenantAsync(
        string tenant, QuotaBody body, HttpContext http, IDbContextFactory<MetadataDbContext> contexts, AuditLog audit, QuotaLimitsCache limits,
        IOptions<QuotaOptions> options, IOptions<AuthOptions> auth, CancellationToken cancellationToken)
    {
        if (!TenantAdminPolicy.Allows(http.User, tenant: null, auth.Value))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: $"Setting a tenant's quotas needs the '{auth.Value.PlatformAdminRole}' role: a tenant cannot raise its own limits.");
        }

        if (Validate(body) is { } invalid)
        {
            return invalid;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = await db.Tenants.SingleOrDefaultAsync(t => t.Name == tenant, cancellationToken);
        if (found is null)
        {
            return TenantNotFound(tenant);
        }

        found.IngressBytesPerSecond = body.IngressBytesPerSecond;
        found.EgressBytesPerSecond = body.EgressBytesPerSecond;
        audit.Add(db, await ActorAsync(http, db, auth.Value, cancellationToken), "quota.set", $"tenant:{found.Name}", found.Id,
            new { ingressBytesPerSecond = body.IngressBytesPerSecond, egressBytesPerSecond = body.EgressBytesPerSecond });
        await db.SaveChangesAsync(cancellationToken);
        limits.Invalidate(found.Id);
        return TypedResults.Ok(ToDto(found, options.Value));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteTenantAsync(
        string tenant, HttpContext http, IDbContextFactory<MetadataDbContext> contexts, AuditLog audit, QuotaLimitsCache limits,
        IOptions<AuthOptions> auth, CancellationToken cancellationToken)
    {
        if (!TenantAdminPolicy.Allows(http.User, tenant: null, auth.Value))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: $"Clearing a tenant's quotas needs the '{auth.Value.PlatformAdminRole}' role.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = await db.Tenants.SingleOrDefaultAsync(t => t.Name == tenant, cancellationToken);
        if (found is null)
        {
            return TenantNotFound(tenant);
        }

        found.IngressBytesPerSecond = null;
        found.EgressBytesPerSecond = null;
        audit.Add(db, await ActorAsync(http, db, auth.Value, cancellationToken), "quota.clear", $"tenant:{found.Name}", found.Id);
        await db.SaveChangesAsync(cancellationToken);
        limits.Invalidate(found.Id);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<StreamQuotaDto>, ProblemHttpResult>> GetStreamAsync(
        string tenant, string stream, IDbContextFactory<MetadataDbContext> contexts, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Name == tenant, cancellationToken);
        if (found is null)
        {
            return TenantNotFound(tenant);
        }

        var definition = await db.Streams.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == found.Id && s.Name == stream, cancellationToken);
        return definition is null
            ? StreamNotFound(stream)
            : TypedResults.Ok(new StreamQuotaDto(found.Name, definition.Name, definition.IngressBytesPerSecond, definition.EgressBytesPerSecond));
    }

    private static async Task<Results<Ok<StreamQuotaDto>, ProblemHttpResult>> PutStreamAsync(
        string tenant, string stream, QuotaBody body, HttpContext http, IDbContextFactory<MetadataDbContext> contexts, AuditLog audit,
        QuotaLimitsCache limits, IOptions<AuthOptions> auth, CancellationToken cancellationToken)
    {
        if (Validate(body) is { } invalid)
        {
            return invalid;
        }

        return await ChangeStreamAsync(tenant, stream, body, "quota.set", http, contexts, audit, limits, auth.Value, cancellationToken);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteStreamAsync(
        string tenant, string stream, HttpContext http, IDbContextFactory<MetadataDbContext> contexts, AuditLog audit,
        QuotaLimitsCache limits, IOptions<AuthOptions> auth, CancellationToken cancellationToken)
    {
        var result = await ChangeStreamAsync(tenant, stream, new QuotaBody(null, null), "quota.clear", http, contexts, audit, limits, auth.Value, cancellationToken);
        return result.Result is ProblemHttpResult problem ? problem : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<StreamQuotaDto>, ProblemHttpResult>> ChangeStreamAsync(
        string tenant, string stream, QuotaBody body, string action, HttpContext http, IDbContextFactory<MetadataDbContext> contexts, AuditLog audit,
        QuotaLimitsCache limits, AuthOptions auth, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Name == tenant, cancellationToken);
        if (found is null)
        {
            return TenantNotFound(tenant);
        }

        var definition = await db.Streams.SingleOrDefaultAsync(s => s.TenantId == found.Id && s.Name == stream, cancellationToken);
        if (definition is null)
        {
            return StreamNotFound(stream);
        }

        definition.IngressBytesPerSecond = body.IngressBytesPerSecond;
        definition.EgressBytesPerSecond = body.EgressBytesPerSecond;
        audit.Add(db, await ActorAsync(http, db, auth, cancellationToken), action, $"stream:{found.Name}/{definition.Name}", found.Id,
            action == "quota.set" ? new { ingressBytesPerSecond = body.IngressBytesPerSecond, egressBytesPerSecond = body.EgressBytesPerSecond } : null);
        await db.SaveChangesAsync(cancellationToken);
        limits.Invalidate(found.Id);
        return TypedResults.Ok(new StreamQuotaDto(found.Name, definition.Name, definition.IngressBytesPerSecond, definition.EgressBytesPerSecond));
    }

    private static async Task<Results<Ok<UsageDto>, ProblemHttpResult>> GetUsageAsync(
        string tenant, IDbContextFactory<MetadataDbContext> contexts, TimeProvider time, CancellationToken cancellationToken,
        string? from = null, string? to = null, string? stream = null, string? granularity = null)
    {
        var hourly = (granularity ?? "minute").ToLowerInvariant() switch
        {
            "minute" => false,
            "hour" => true,
            _ => (bool?)null,
        };
        if (hourly is null)
        {
            return BadRequest($"'granularity' must be minute or hour; got '{granularity}'.");
        }

        var now = time.GetUtcNow();
        if (!TryParseTime(to, now, out var end) || !TryParseTime(from, end.AddHours(-1), out var start))
        {
            return BadRequest("'from' and 'to' must be ISO-8601 date-times (e.g. 2026-01-31T12:00:00Z).");
        }

        if (end <= start)
        {
            return BadRequest("'to' must be after 'from'.");
        }

        var maxDays = hourly.Value ? MaxHourRangeDays : MaxMinuteRangeDays;
        if (end - start > TimeSpan.FromDays(maxDays))
        {
            return BadRequest($"The range may span at most {maxDays} days at {(hourly.Value ? "hour" : "minute")} granularity.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Name == tenant, cancellationToken);
        if (found is null)
        {
            return TenantNotFound(tenant);
        }

        var query = db.Usage.AsNoTracking().Where(u => u.TenantId == found.Id && u.Minute >= start && u.Minute < end);
        if (!string.IsNullOrEmpty(stream))
        {
            query = query.Where(u => u.StreamName == stream);
        }

        var rows = await query.OrderBy(u => u.Minute).ThenBy(u => u.StreamName).ToListAsync(cancellationToken);
        var usage = hourly.Value
            ? rows.GroupBy(u => (Start: new DateTimeOffset(u.Minute.UtcTicks - (u.Minute.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero), u.StreamName))
                .Select(g => new UsageRowDto(g.Key.Start, g.Key.StreamName, g.Sum(u => u.RecordsIn), g.Sum(u => u.BytesIn), g.Sum(u => u.RecordsOut), g.Sum(u => u.BytesOut), g.Sum(u => u.Throttled)))
                .OrderBy(r => r.Start).ThenBy(r => r.Stream, StringComparer.Ordinal)
                .ToList()
            : rows.Select(u => new UsageRowDto(u.Minute.ToUniversalTime(), u.StreamName, u.RecordsIn, u.BytesIn, u.RecordsOut, u.BytesOut, u.Throttled)).ToList();
        return TypedResults.Ok(new UsageDto(found.Name, start, end, hourly.Value ? "hour" : "minute", usage));
    }

    private static bool TryParseTime(string? value, DateTimeOffset fallback, out DateTimeOffset time)
    {
        if (string.IsNullOrEmpty(value))
        {
            time = fallback;
            return true;
        }

        var parsed = DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
        time = time.ToUniversalTime();
        return parsed;
    }

    private static ProblemHttpResult? Validate(QuotaBody? body)
    {
        if (body is null)
        {
            return BadRequest("The body must be a JSON object with 'ingressBytesPerSecond' and/or 'egressBytesPerSecond'.");
        }

        foreach (var (name, value) in new[] { ("ingressBytesPerSecond", body.IngressBytesPerSecond), ("egressBytesPerSecond", body.EgressBytesPerSecond) })
        {
            if (value is < 1 or > MaxBytesPerSecond)
            {
                return BadRequest($"'{name}' must be between 1 and {MaxBytesPerSecond} bytes per second, or null; got {value}.");
            }
        }

        return null;
    }

    private static TenantQuotaDto ToDto(Tenant tenant, QuotaOptions options) => new(
        tenant.Name,
        tenant.IngressBytesPerSecond,
        tenant.EgressBytesPerSecond,
        tenant.IngressBytesPerSecond ?? options.TenantIngressBytesPerSecond,
        tenant.EgressBytesPerSecond ?? options.TenantEgressBytesPerSecond,
        new ShardQuotaDto(options.ShardIngressBytesPerSecond, options.ShardIngressRecordsPerSecond, options.ShardEgressBytesPerSecond, options.ShardReadCallsPerSecond),
        options.BurstSeconds,
        options.Enabled);

    /// <summary>The audited actor: the caller's subject, and its own tenant when its token names one.</summary>
    private static async Task<AuditActor> ActorAsync(HttpContext http, MetadataDbContext db, AuthOptions auth, CancellationToken cancellationToken)
    {
        var name = http.User.FindFirst(auth.TenantClaim)?.Value;
        Guid? actorTenant = null;
        if (!string.IsNullOrEmpty(name))
        {
            actorTenant = await db.Tenants.AsNoTracking().Where(t => t.Name == name).Select(t => (Guid?)t.Id).SingleOrDefaultAsync(cancellationToken);
        }

        return TenantAdminPolicy.Actor(http, actorTenant);
    }

    private static ProblemHttpResult TenantNotFound(string tenant) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: TenantAdminPolicy.TenantNotFound(tenant));

    private static ProblemHttpResult StreamNotFound(string stream) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"Stream {stream} not found.");

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid argument", detail: detail);
}
