using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>What <see cref="TenantDirectory.DeleteAsync"/> did.</summary>
/// <param name="Tenant">The tenant as it was.</param>
/// <param name="Deleted">True when it is gone; false when it still had streams.</param>
/// <param name="RemainingStreams">Its streams (any status) when not deleted.</param>
public sealed record TenantDeletion(Tenant Tenant, bool Deleted, int RemainingStreams);
