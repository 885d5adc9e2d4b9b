using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Sluice.IntegrationTests.Infrastructure;
using Schema = Confluent.SchemaRegistry.Schema;

namespace Sluice.IntegrationTests.SchemaRegistry;

/// <summary>
/// Confluent's own .NET client and serdes (2.16) against the gateway's registry at <c>http://gateway/schema-registry</c>: the client
/// joins its relative paths to a base URL's path, with a bearer token (its StaticToken mode) and with Basic (an access key).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SchemaRegistryClientTests(ClusterFixture cluster)
{
    private string Url => new Uri(cluster.HttpEndpoint, "schema-registry").ToString();

    private CachedSchemaRegistryClient BearerClient(TestTenant tenant) => new(new SchemaRegistryConfig
    {
        Url = Url,
        BearerAuthCredentialsSource = BearerAuthCredentialsSource.StaticToken,
        BearerAuthToken = tenant.Token,
        // Confluent Cloud's headers, which the client insists on sending in this mode: Sluice ignores them.
        BearerAuthLogicalCluster = "lsrc-sluice",
        BearerAuthIdentityPoolId = "pool-sluice",
    });

    private async Task<CachedSchemaRegistryClient> BasicClientAsync(TestTenant tenant)
    {
        var key = await cluster.CreateAccessKeyAsync(tenant, "confluent client");
        return new CachedSchemaRegistryClient(new SchemaRegistryConfig
        {
            Url = Url,
            BasicAuthCredentialsSource = AuthCredentialsSource.UserInfo,
            BasicAuthUserInfo = $"{key.AccessKeyId}:{key.SecretAccessKey}",
        });
    }

    [Fact]
    public async Task The_confluent_client_with_a_bearer_token_registers_looks_up_reads_lists_tests_compatibility_and_sets_config()
    {
        var tenant = await cluster.CreateTenantAsync("srcl");
        using var client = BearerClient(tenant);
        await ExerciseAsync(client);
    }

    [Fact]
    public async Task The_confluent_client_with_basic_auth_of_an_access_key_does_the_same()
    {
        var tenant = await cluster.CreateTenantAsync("srcl");
        using var client = await BasicClientAsync(tenant);
        await ExerciseAsync(client);
    }

    [Fact]
    public async Task The_confluent_client_with_a_wrong_secret_gets_40101()
    {
        var tenant = await cluster.CreateTenantAsync("srcl");
        var key = await cluster.CreateAccessKeyAsync(tenant);
        using var client = new CachedSchemaRegistryClient(new SchemaRegistryConfig
        {
            Url = Url,
            BasicAuthCredentialsSource = AuthCredentialsSource.UserInfo,
            BasicAuthUserInfo = $"{key.AccessKeyId}:wrong-secret",
        });
        var error = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.GetAllSubjectsAsync());
        Assert.Equal(40101, error.ErrorCode);
    }

    private static async Task ExerciseAsync(ISchemaRegistryClient client)
    {
        var subject = $"orders-{Guid.NewGuid():N}-value";
        var v1 = new Schema(TestSchemas.AvroUser, SchemaType.Avro);
        var id = await client.RegisterSchemaAsync(subject, v1);
        Assert.True(id > 0);
        Assert.Equal(id, await client.RegisterSchemaAsync(subject, v1));

        var byId = await client.GetSchemaAsync(id);
        Assert.Equal(SchemaType.Avro, byId.SchemaType);
        Assert.Equal(TestSchemas.AvroUser, byId.SchemaString);

        var looked = await client.LookupSchemaAsync(subject, v1, ignoreDeletedSchemas: true);
        Assert.Equal(subject, looked.Subject);
        Assert.Equal(1, looked.Version);
        Assert.Equal(id, looked.Id);
        var latest = await client.GetLatestSchemaAsync(subject);
        Assert.Equal(subject, latest.Subject);
        Assert.Equal(1, latest.Version);
        Assert.Equal(id, latest.Id);
        Assert.Equal(id, (await client.GetRegisteredSchemaAsync(subject, 1, ignoreDeletedSchemas: true)).Id);
        Assert.Contains(subject, await client.GetAllSubjectsAsync());
        Assert.Equal([1], await client.GetSubjectVersionsAsync(subject));

        Assert.False(await client.IsCompatibleAsync(subject, new Schema(TestSchemas.AvroUserWithAge, SchemaType.Avro)));
        Assert.True(await client.IsCompatibleAsync(subject, new Schema(TestSchemas.AvroUserWithEmail, SchemaType.Avro)));
        var incompatible = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterSchemaAsync(subject, new Schema(TestSchemas.AvroUserWithAge, SchemaType.Avro)));
        Assert.Equal(409, incompatible.ErrorCode);
        var v2 = await client.RegisterSchemaAsync(subject, new Schema(TestSchemas.AvroUserWithEmail, SchemaType.Avro));
        // (GetLatestSchemaAsync would answer from the client's own cache of the latest version.)
        Assert.Equal([1, 2], await client.GetSubjectVersionsAsync(subject));
        Assert.Equal(v2, (await client.GetRegisteredSchemaAsync(subject, 2, ignoreDeletedSchemas: true)).Id);
        Assert.NotEqual(id, v2);

        Assert.Equal(Compatibility.Backward, await client.GetCompatibilityAsync());
        Assert.Equal(Compatibility.Full, await client.UpdateCompatibilityAsync(Compatibility.Full, subject));
        Assert.Equal(Compatibility.Full, await client.GetCompatibilityAsync(subject));

        var missing = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.GetLatestSchemaAsync($"missing-{Guid.NewGuid():N}"));
        Assert.Equal(40401, missing.ErrorCode);
    }

    [Fact]
    public async Task The_avro_serdes_auto_register_and_round_trip_a_generic_record()
    {
        var tenant = await cluster.CreateTenantAsync("srserde");
        using var client = BearerClient(tenant);
        var schema = (RecordSchema)Avro.Schema.Parse(TestSchemas.AvroUser);
        var record = new GenericRecord(schema);
        record.Add("name", "Ada");
        var topic = $"users-{Guid.NewGuid():N}";
        var context = new SerializationContext(MessageComponentType.Value, topic);

        var bytes = await new AvroSerializer<GenericRecord>(client, new AvroSerializerConfig { AutoRegisterSchemas = true }).SerializeAsync(record, context);
        var latest = await client.GetLatestSchemaAsync($"{topic}-value");
        Assert.Equal(0, bytes[0]);
        Assert.Equal(latest.Id, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));

        // A fresh client, as a consumer would have: the schema comes from the registry by id.
        using var consumerClient = await BasicClientAsync(tenant);
        var decoded = await new AvroDeserializer<GenericRecord>(consumerClient).DeserializeAsync(bytes, isNull: false, context);
        Assert.Equal("Ada", decoded["name"]);
    }

    [Fact]
    public async Task The_json_serdes_auto_register_and_round_trip_a_record()
    {
        var tenant = await cluster.CreateTenantAsync("srserde");
        using var client = BearerClient(tenant);
        var topic = $"orders-{Guid.NewGuid():N}";
        var context = new SerializationContext(MessageComponentType.Value, topic);

        // An explicit draft-07 schema, as users who write their own pass it (the generated draft-04 one has its own test below).
        var schema = new Schema(OrderSchema, SchemaType.Json);
        var bytes = await new JsonSerializer<Order>(client, schema, new JsonSerializerConfig { AutoRegisterSchemas = true })
            .SerializeAsync(new Order { Sku = "A-1", Quantity = 3 }, context);
        var latest = await client.GetLatestSchemaAsync($"{topic}-value");
        Assert.Equal(SchemaType.Json, latest.SchemaType);
        Assert.Equal(latest.Id, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));

        using var consumerClient = await BasicClientAsync(tenant);
        var order = await new JsonDeserializer<Order>(consumerClient).DeserializeAsync(bytes, isNull: false, context);
        Assert.Equal(("A-1", 3), (order.Sku, order.Quantity));
    }

    [Fact]
    public async Task The_json_serializer_auto_registers_its_own_draft_04_schema_and_the_deserializer_round_trips_a_record()
    {
        var tenant = await cluster.CreateTenantAsync("srserde");
        using var client = BearerClient(tenant);
        var topic = $"orders-{Guid.NewGuid():N}";
        var context = new SerializationContext(MessageComponentType.Value, topic);

        // No schema given: the serializer generates one with NJsonSchema, which declares draft-04, and registers it.
        var bytes = await new JsonSerializer<Order>(client, new JsonSerializerConfig { AutoRegisterSchemas = true })
            .SerializeAsync(new Order { Sku = "A-1", Quantity = 3 }, context);
        var latest = await client.GetLatestSchemaAsync($"{topic}-value");
        Assert.Equal(SchemaType.Json, latest.SchemaType);
        Assert.Contains("draft-04", latest.SchemaString, StringComparison.Ordinal);
        Assert.Equal(latest.Id, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));

        // A second serializer looks the same generated schema up rather than registering a new version.
        var again = await new JsonSerializer<Order>(client, new JsonSerializerConfig { AutoRegisterSchemas = true })
            .SerializeAsync(new Order { Sku = "B-2", Quantity = 5 }, context);
        Assert.Equal(latest.Id, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(again.AsSpan(1)));
        Assert.Equal(latest.Version, (await client.GetLatestSchemaAsync($"{topic}-value")).Version);

        using var consumerClient = await BasicClientAsync(tenant);
        var order = await new JsonDeserializer<Order>(consumerClient).DeserializeAsync(bytes, isNull: false, context);
        Assert.Equal(("A-1", 3), (order.Sku, order.Quantity));
    }

    private const string OrderSchema = """
        {"$schema":"http://json-schema.org/draft-07/schema#","title":"Order","type":"object",
         "properties":{"Sku":{"type":"string"},"Quantity":{"type":"integer"}},"required":["Sku","Quantity"]}
        """;

    /// <summary>A record the JSON serdes write and read (Newtonsoft.Json's default names: Sku, Quantity).</summary>
    public sealed class Order
    {
        public string Sku { get; set; } = "";

        public int Quantity { get; set; }
    }
}
