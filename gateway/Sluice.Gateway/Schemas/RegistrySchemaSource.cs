using Sluice.Metadata;

namespace Sluice.Gateway.Schemas;

/// <summary>The registry in PostgreSQL as a <see cref="ISchemaSource"/>.</summary>
internal sealed class RegistrySchemaSource(SchemaRegistryStore store) : ISchemaSource
{
    public Task<IReadOnlyList<SubjectSchema>> GetLiveVersionsAsync(Guid tenantId, string subject, CancellationToken cancellationToken) =>
        store.GetLiveVersionsAsync(tenantId, subject, cancellationToken);

    public async Task<(string SchemaType, string Schema)?> GetSchemaAsync(Guid tenantId, int id, CancellationToken cancellationToken) =>
        await store.GetSchemaAsync(tenantId, id, cancellationToken) is { } schema ? (schema.SchemaType, schema.Schema) : null;
}
