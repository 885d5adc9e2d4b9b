using System.Security.Claims;
using Sluice.Core;
using Sluice.Gateway.Streams;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Auth;

/// <summary>
/// The one authoriser of stream operations that every face calls: resolves the caller and checks the ACLs (<see cref="AclRules"/>).
/// A refusal is <see cref="SluiceErrorCode.PermissionDenied"/>, which each face answers in its own terms. The check is on the name
/// within the caller's own tenant, so another tenant's stream still answers exactly like a missing one.
/// </summary>
public sealed class StreamAccess(CallerResolver callers, StreamService streams)
{
    /// <summary>Resolves the caller of a bearer token and demands <paramref name="access"/> on <paramref name="stream"/>.</summary>
    public async ValueTask<Caller> AuthorizeAsync(ClaimsPrincipal user, StreamAccessKind access, string? stream, CancellationToken cancellationToken = default)
    {
        var caller = await callers.ResolveAsync(user, cancellationToken);
        Demand(caller, access, stream);
        return caller;
    }

    /// <summary>Resolves the caller of a bearer token, for operations on no stream (they need only authentication).</summary>
    public ValueTask<Caller> AuthenticateAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        callers.ResolveAsync(user, cancellationToken);

    /// <summary>Whether the caller may do what <paramref name="access"/> names on <paramref name="stream"/>.</summary>
    public static bool Allows(Caller caller, StreamAccessKind access, string stream)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return AclRules.IsAllowed(caller.Principal, caller.IsTenantAdmin, caller.AccessControl.Entries, access, stream);
    }

    /// <summary>
    /// Throws <see cref="SluiceErrorCode.PermissionDenied"/> unless the caller may do what <paramref name="access"/> names on the stream.
    /// An empty name is left to the operation's own validation (no stream has it).
    /// </summary>
    public static void Demand(Caller caller, StreamAccessKind access, string? stream)
    {
        if (string.IsNullOrEmpty(stream) || Allows(caller, access, stream))
        {
            return;
        }

        throw new SluiceException(SluiceErrorCode.PermissionDenied, $"Principal {caller.Principal} is not authorized to {Verb(access)} stream {stream}.");
    }

    /// <summary>
    /// A page of the tenant's streams the caller has some permission on, in name order after <paramref name="exclusiveStartName"/>, and
    /// whether more may follow.
    /// </summary>
    public async Task<(IReadOnlyList<StreamDefinition> Streams, bool HasMore)> ListVisibleAsync(
        Caller caller, string? exclusiveStartName, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.IsTenantAdmin)
        {
            return await streams.ListAsync(caller.Tenant, exclusiveStartName, limit, cancellationToken);
        }

        var visible = new List<StreamDefinition>();
        var cursor = exclusiveStartName;
        while (true)
        {
            var (page, hasMore) = await streams.ListAsync(caller.Tenant, cursor, limit, cancellationToken);
            foreach (var stream in page)
            {
                if (!Allows(caller, StreamAccessKind.Any, stream.Name))
                {
                    continue;
                }

                if (visible.Count == limit)
                {
                    return (visible, true);
                }

                visible.Add(stream);
            }

            if (!hasMore || page.Count == 0)
            {
                return (visible, false);
            }

            cursor = page[^1].Name;
        }
    }

    private static string Verb(StreamAccessKind access) => access switch
    {
        StreamAccessKind.Produce => "produce to",
        StreamAccessKind.Consume => "consume from",
        StreamAccessKind.Manage => "manage",
        _ => "access",
    };
}
