namespace Sluice.Metadata.Model;

/// <summary>
/// A schema in a tenant's registry (<c>schemas</c>). Its <see cref="Id"/> comes from one sequence over all tenants, so
/// ids are global and never reused; the same schema registered twice in a tenant (same type, canonical form and
/// references) is one row, found by <see cref="Fingerprint"/>. Another tenant registering the same text gets its own
/// row and id: tenants never see each other's ids.
/// </summary>
public sealed class RegisteredSchema
{
    public int Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>The Confluent wire name of the format: <c>AVRO</c>, <c>JSON</c> or <c>PROTOBUF</c>.</summary>
    public required string SchemaType { get; set; }

    /// <summary>The schema text as first registered (what <c>GET /schemas/ids/{id}</c> answers).</summary>
    public required string Schema { get; set; }

    /// <summary>Lower-case hex SHA-256 of the type, the canonical form and the references: unique per tenant.</summary>
    public required string Fingerprint { get; set; }

    /// <summary>Confluent schema references (<c>[{"name","subject","version"}]</c>) as JSON; <c>[]</c> when none.</summary>
    public string References { get; set; } = "[]";

    public DateTimeOffset CreatedAt { get; set; }
}
