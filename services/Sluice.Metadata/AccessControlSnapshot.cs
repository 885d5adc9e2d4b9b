using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>
/// A tenant's principals and ACL entries as read at one moment: what the gateway authorises requests against.
/// Shared between requests: never modify what it holds.
/// </summary>
public sealed class AccessControlSnapshot
{
    private readonly Dictionary<string, Principal> _byName;
    private readonly Dictionary<Guid, Principal> _byId;

    public AccessControlSnapshot(Guid tenantId, IReadOnlyList<Principal> principals, IReadOnlyList<AclEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(principals);
        ArgumentNullException.ThrowIfNull(entries);
        TenantId = tenantId;
        Principals = principals;
        Entries = entries;
        _byName = principals.ToDictionary(p => p.Name, StringComparer.Ordinal);
        _byId = principals.ToDictionary(p => p.Id);
    }

    public Guid TenantId { get; }

    public IReadOnlyList<Principal> Principals { get; }

    public IReadOnlyList<AclEntry> Entries { get; }

    /// <summary>The principal with this name (<c>user:…</c>, <c>service:…</c>), or null.</summary>
    public Principal? FindByName(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The principal with this id, or null.</summary>
    public Principal? FindById(Guid id) => _byId.GetValueOrDefault(id);
}
