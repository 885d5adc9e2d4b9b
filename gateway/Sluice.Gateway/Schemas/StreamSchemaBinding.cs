using System.Text.Json.Serialization;

namespace Sluice.Gateway.Schemas;

/// <summary>
/// A stream's binding to a registry subject, as every face reports it (REST answers it as is): the subject, the
/// subject's own compatibility level (absent when it has none and follows the tenant's), and the newest live version,
/// which records in plain JSON are checked against (absent when the subject has none left: every record is refused then).
/// </summary>
public sealed record StreamSchemaBinding(
    string Stream,
    string Subject,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Compatibility,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? LatestVersion,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? LatestSchemaId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LatestSchemaType);
