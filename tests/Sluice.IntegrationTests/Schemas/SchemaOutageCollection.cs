namespace Sluice.IntegrationTests.Schemas;

[CollectionDefinition(Name)]
public sealed class SchemaOutageCollection : ICollectionFixture<SchemaOutageFixture>
{
    public const string Name = "schema-outage";
}
