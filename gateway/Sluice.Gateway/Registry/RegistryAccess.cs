using Sluice.Gateway.Auth;
using Sluice.Metadata;

namespace Sluice.Gateway.Registry;

/// <summary>
/// The registry's ACL checks, on the stream ACLs: a subject is matched against the entries' stream patterns as a stream name would be
/// (so <c>orders-*</c> covers <c>orders-value</c>). Reading a subject needs any of produce, consume or manage on it (producers and
/// consumers both fetch schemas); changing it (register, delete, config, mode) needs manage. Tenant-wide settings need manage on
/// every subject (<c>*</c>); tenant admins may do everything in their tenant.
/// </summary>
public static class RegistryAccess
{
    /// <summary>The resource tenant-wide settings are checked against: only a <c>*</c> entry (or a tenant admin) covers it.</summary>
    public const string EverySubject = "*";

    public static bool CanRead(Caller caller, string subject) => StreamAccess.Allows(caller, StreamAccessKind.Any, subject);

    public static bool CanWrite(Caller caller, string subject) => StreamAccess.Allows(caller, StreamAccessKind.Manage, subject);

    /// <summary>40301 unless the caller may read the subject.</summary>
    public static void DemandRead(Caller caller, string subject)
    {
        if (!CanRead(caller, subject))
        {
            throw Forbidden(caller, "read", subject);
        }
    }

    /// <summary>40301 unless the caller may change the subject.</summary>
    public static void DemandWrite(Caller caller, string subject)
    {
        if (!CanWrite(caller, subject))
        {
            throw Forbidden(caller, "write", subject);
        }
    }

    /// <summary>40301 unless the caller may change the tenant-wide settings.</summary>
    public static void DemandTenantWrite(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.IsTenantAdmin && !CanWrite(caller, EverySubject))
        {
            throw new SchemaRegistryException(SchemaRegistryErrorCode.Forbidden,
                $"Principal {caller.Principal} is not authorized to change the registry's tenant-wide settings (needs manage on '*').");
        }
    }

    private static SchemaRegistryException Forbidden(Caller caller, string verb, string subject) =>
        new(SchemaRegistryErrorCode.Forbidden, $"Principal {caller.Principal} is not authorized to {verb} subject {subject}.");
}
