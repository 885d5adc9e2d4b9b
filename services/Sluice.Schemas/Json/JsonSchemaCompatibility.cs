namespace Sluice.Schemas.Json;

/// <summary>Decides whether a reader JSON schema accepts everything a writer JSON schema does.</summary>
internal sealed class JsonSchemaCompatibility(JsonSchemaDocument reader, JsonSchemaDocument writer)
{
    public IReadOnlyList<string> Check() =>
        reader.Canonical == writer.Canonical
            ? []
            : [$"#: the schemas differ and the JSON Schema compatibility rules are not applied yet; only identical schemas are compatible."];
}
