using Sluice.Metadata;

namespace Sluice.Gateway.Schemas;

/// <summary>Where <see cref="SchemaCache"/> reads a tenant's registry from: <see cref="SchemaRegistryStore"/>, or a test's own.</summary>
internal interface ISchemaSource
{
    /// <summary>The subject's live versions with their schemas, oldest first.</summary>
    Task<IReadOnlyList<SubjectSchema>> GetLiveVersionsAsync(Guid tenantId, string subject, CancellationToken cancellationToken);

    /// <summary>A schema of the tenant by id (type wire name and text); null when the tenant has none with that id.</summary>
    Task<(string SchemaType, string Schema)?> GetSchemaAsync(Guid tenantId, int id, CancellationToken cancellationToken);
}
