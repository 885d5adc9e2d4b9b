namespace Sluice.Metadata;

/// <summary>A live version of a subject with its schema: what a bound stream's records are checked against.</summary>
/// <param name="SchemaType">The Confluent wire name of the format (<c>AVRO</c>, <c>JSON</c>, <c>PROTOBUF</c>).</param>
/// <param name="References">The schema's references as JSON (<c>[]</c> when none).</param>
public sealed record SubjectSchema(string Subject, int Version, int SchemaId, string SchemaType, string Schema, string References);
