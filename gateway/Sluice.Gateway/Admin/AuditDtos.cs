using System.Text.Json;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Admin;

/// <summary>One audit log entry: who did what to which target, when and from where.</summary>
/// <param name="Actor">The caller: a principal name, or a token's subject.</param>
/// <param name="ActorTenantId">The caller's own tenant; null for a platform admin.</param>
/// <param name="TenantId">The tenant the change applied to.</param>
/// <param name="Details">The change as JSON (never a secret).</param>
public sealed record AuditEntryDto(
    long Id, DateTimeOffset At, string Actor, Guid? ActorTenantId, Guid? TenantId, string Action, string Target, string? RemoteAddress, JsonElement? Details)
{
    public static AuditEntryDto From(AuditEntry entry) => new(
        entry.Id, entry.At, entry.Actor, entry.ActorTenantId, entry.TenantId, entry.Action, entry.Target, entry.RemoteAddress,
        entry.Details is null ? null : JsonDocument.Parse(entry.Details).RootElement.Clone());
}

/// <summary>A page of the audit log, newest first; while <c>nextBefore</c> is set, pass it as <c>before</c> for the next page.</summary>
public sealed record AuditListDto(IReadOnlyList<AuditEntryDto> Entries, long? NextBefore);
