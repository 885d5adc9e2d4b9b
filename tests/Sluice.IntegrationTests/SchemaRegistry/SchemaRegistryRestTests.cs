using System.Net;
using System.Text.Json;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.SchemaRegistry;

/// <summary>
/// The registry's REST API over raw HTTP against a real gateway and PostgreSQL: registration and every read, identical schemas,
/// global ids, compatibility, settings, modes, concurrency, media types and each error code in Confluent's shape.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SchemaRegistryRestTests(ClusterFixture cluster)
{
    private async Task<RegistryHttpClient> RegistryAsync(string prefix = "sr")
    {
        var tenant = await cluster.CreateTenantAsync(prefix);
        return new RegistryHttpClient(cluster.CreateHttpClient(tenant.Token));
    }

    private static string NewSubject() => $"orders-{Guid.NewGuid():N}-value";

    [Fact]
    public async Task A_registered_schema_is_found_by_id_latest_version_number_lookup_and_listings()
    {
        using var registry = await RegistryAsync();
        var subject = NewSubject();
        var id = await registry.RegisterAsync(subject, TestSchemas.Json("sku"));

        var byId = await registry.GetAsync($"/schemas/ids/{id}");
        Assert.Equal(TestSchemas.Json("sku"), byId.GetProperty("schema").GetString());
        Assert.Equal("JSON", byId.GetProperty("schemaType").GetString());

        var latest = await registry.GetAsync($"/subjects/{subject}/versions/latest");
        Assert.Equal((subject, 1, id), (latest.GetProperty("subject").GetString(), latest.GetProperty("version").GetInt32(), latest.GetProperty("id").GetInt32()));
        Assert.Equal(TestSchemas.Json("sku"), latest.GetProperty("schema").GetString());
        Assert.Equal(id, (await registry.GetAsync($"/subjects/{subject}/versions/1")).GetProperty("id").GetInt32());
        Assert.Equal(id, (await registry.GetAsync($"/subjects/{subject}/versions/-1")).GetProperty("id").GetInt32());

        using var raw = await registry.Http.GetAsync($"/schema-registry/subjects/{subject}/versions/1/schema");
        Assert.Equal(TestSchemas.Json("sku"), await raw.Content.ReadAsStringAsync());
        using var rawById = await registry.Http.GetAsync($"/schema-registry/schemas/ids/{id}/schema");
        Assert.Equal(TestSchemas.Json("sku"), await rawById.Content.ReadAsStringAsync());

        // Another spelling of the same schema is the same version.
        var found = await registry.OkAsync(HttpMethod.Post, $"/subjects/{subject}", new { schema = TestSchemas.JsonReformatted("sku"), schemaType = "JSON" });
        Assert.Equal((1, id), (found.GetProperty("version").GetInt32(), found.GetProperty("id").GetInt32()));

        Assert.Equal([subject], (await registry.GetAsync("/subjects")).EnumerateArray().Select(s => s.GetString()));
        Assert.Equal([subject], (await registry.GetAsync("/subjects?subjectPrefix=orders-")).EnumerateArray().Select(s => s.GetString()));
        Assert.Empty((await registry.GetAsync("/subjects?subjectPrefix=payments-")).EnumerateArray());
        Assert.Equal([1], (await registry.GetAsync($"/subjects/{subject}/versions")).EnumerateArray().Select(v => v.GetInt32()));
        var usages = await registry.GetAsync($"/schemas/ids/{id}/versions");
        Assert.Equal([(subject, 1)], usages.EnumerateArray().Select(u => (u.GetProperty("subject").GetString(), u.GetProperty("version").GetInt32())));
        Assert.Equal([subject], (await registry.GetAsync($"/schemas/ids/{id}/subjects")).EnumerateArray().Select(s => s.GetString()));
        Assert.Contains("JSON", (await registry.GetAsync("/schemas/types")).EnumerateArray().Select(t => t.GetString()));
        var listed = await registry.GetAsync("/schemas?subjectPrefix=orders-");
        Assert.Equal([(subject, 1, id)], listed.EnumerateArray().Select(s => (s.GetProperty("subject").GetString(), s.GetProperty("version").GetInt32(), s.GetProperty("id").GetInt32())));

        // The registry is in the gateway's OpenAPI document.
        using var openApi = await registry.Http.GetAsync("/swagger/v1/swagger.json");
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        Assert.Contains("/schema-registry/subjects/{subject}/versions", await openApi.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Protobuf_and_avro_schemas_register_with_their_type_and_every_type_is_listed()
    {
        using var registry = await RegistryAsync();
        const string Proto = "syntax = \"proto3\";\npackage sluice.test;\n\nmessage Order {\n  string sku = 1;\n  int32 quantity = 2;\n}\n";
        var protoId = await registry.RegisterAsync(NewSubject(), Proto, "PROTOBUF");
        var proto = await registry.GetAsync($"/schemas/ids/{protoId}");
        Assert.Equal("PROTOBUF", proto.GetProperty("schemaType").GetString());
        Assert.Equal(Proto, proto.GetProperty("schema").GetString());
        await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{NewSubject()}/versions", 42201, new { schema = "message {", schemaType = "PROTOBUF" });

        var avroId = await registry.RegisterAsync(NewSubject(), TestSchemas.AvroUser, schemaType: null);
        // Confluent leaves schemaType out for AVRO.
        Assert.False((await registry.GetAsync($"/schemas/ids/{avroId}")).TryGetProperty("schemaType", out _));
        Assert.Equal(["JSON", "PROTOBUF", "AVRO"], (await registry.GetAsync("/schemas/types")).EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task An_identical_schema_keeps_its_id_across_subjects_and_adds_no_version_when_registered_again()
    {
        using var registry = await RegistryAsync();
        var (first, second) = (NewSubject(), NewSubject());
        var id = await registry.RegisterAsync(first, TestSchemas.Json("sku"));
        Assert.Equal(id, await registry.RegisterAsync(first, TestSchemas.JsonReformatted("sku")));
        Assert.Equal(id, await registry.RegisterAsync(second, TestSchemas.Json("sku")));
        Assert.Equal([1], (await registry.GetAsync($"/subjects/{first}/versions")).EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), (await registry.GetAsync($"/schemas/ids/{id}/subjects")).EnumerateArray().Select(s => s.GetString()));
        Assert.NotEqual(id, await registry.RegisterAsync(NewSubject(), TestSchemas.Json("price")));
    }

    [Fact]
    public async Task Schema_ids_are_global_two_tenants_registering_the_same_schema_get_different_ids_and_cannot_read_each_others()
    {
        using var a = await RegistryAsync("sra");
        using var b = await RegistryAsync("srb");
        var subject = NewSubject();
        var idA = await a.RegisterAsync(subject, TestSchemas.Json("sku"));
        var idB = await b.RegisterAsync(subject, TestSchemas.Json("sku"));
        Assert.NotEqual(idA, idB);
        await b.ErrorAsync(HttpMethod.Get, $"/schemas/ids/{idA}", 40403);
        await a.ErrorAsync(HttpMethod.Get, $"/schemas/ids/{idB}", 40403);
        Assert.Equal(idA, (await a.GetAsync($"/subjects/{subject}/versions/latest")).GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task Every_request_media_type_Confluent_accepts_is_accepted_and_others_are_415()
    {
        using var registry = await RegistryAsync();
        var subject = NewSubject();
        var body = JsonSerializer.Serialize(new { schema = TestSchemas.Json("sku"), schemaType = "JSON" });
        foreach (var mediaType in new[] { "application/vnd.schemaregistry.v1+json", "application/vnd.schemaregistry+json", "application/json", "application/octet-stream" })
        {
            var (status, json) = await registry.SendAsync(HttpMethod.Post, $"/subjects/{subject}/versions", body, mediaType);
            Assert.True(status == HttpStatusCode.OK, $"{mediaType}: {(int)status} {json}");
        }

        await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{subject}/versions", 415, body, "text/plain");
    }

    [Fact]
    public async Task Each_error_is_confluents_code_and_shape()
    {
        using var registry = await RegistryAsync();
        var subject = NewSubject();
        var missing = NewSubject();
        await registry.RegisterAsync(subject, TestSchemas.Json("sku"));

        Assert.Contains(missing, await registry.ErrorAsync(HttpMethod.Get, $"/subjects/{missing}/versions", 40401), StringComparison.Ordinal);
        await registry.ErrorAsync(HttpMethod.Get, $"/subjects/{missing}/versions/latest", 40401);
        await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{missing}", 40401, new { schema = TestSchemas.Json("sku"), schemaType = "JSON" });
        await registry.ErrorAsync(HttpMethod.Delete, $"/subjects/{missing}", 40401);
        await registry.ErrorAsync(HttpMethod.Get, $"/subjects/{subject}/versions/99", 40402);
        await registry.ErrorAsync(HttpMethod.Get, "/schemas/ids/2147483647", 40403);
        await registry.ErrorAsync(HttpMethod.Get, "/schemas/ids/2147483647/versions", 40403);
        await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{subject}", 40403, new { schema = TestSchemas.Json("other"), schemaType = "JSON" });

        Assert.StartsWith("Invalid schema", await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{subject}/versions", 42201, new { schema = "{\"type\": 12", schemaType = "JSON" }), StringComparison.Ordinal);
        await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{subject}/versions", 42201, new { schema = "", schemaType = "JSON" });
        await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{subject}/versions", 42201, new { schema = TestSchemas.Json("x"), schemaType = "XML" });
        Assert.Contains("does not support schema references", await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{subject}/versions", 42201,
            new { schema = TestSchemas.Json("x"), schemaType = "JSON", references = new[] { new { name = "other.json", subject = "other", version = 1 } } }), StringComparison.Ordinal);
        await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{subject}/versions", 400, "{\"schema\": ");
        await registry.ErrorAsync(HttpMethod.Get, $"/subjects/{subject}/versions/abc", 42202);
        await registry.ErrorAsync(HttpMethod.Get, $"/subjects/{subject}/versions/0", 42202);
        await registry.ErrorAsync(HttpMethod.Delete, $"/subjects/{subject}/versions/-5", 42202);
        await registry.ErrorAsync(HttpMethod.Put, $"/config/{subject}", 42203, new { compatibility = "SIDEWAYS" });
        await registry.ErrorAsync(HttpMethod.Put, "/config", 42203, new { compatibility = (string?)null });
        await registry.ErrorAsync(HttpMethod.Put, $"/mode/{subject}", 42204, new { mode = "WRITEONLY" });
        await registry.ErrorAsync(HttpMethod.Get, $"/config/{subject}", 40408);
        await registry.ErrorAsync(HttpMethod.Get, $"/mode/{subject}", 40409);
        await registry.ErrorAsync(HttpMethod.Get, "/no-such-thing", 404);
    }

    [Fact]
    public async Task An_incompatible_registration_is_409_with_the_reasons_and_the_compatibility_endpoints_and_config_agree()
    {
        using var registry = await RegistryAsync();
        var subject = NewSubject();
        var v1 = await registry.RegisterAsync(subject, TestSchemas.AvroUser, schemaType: null);

        var message = await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{subject}/versions", 409, new { schema = TestSchemas.AvroUserWithAge });
        Assert.StartsWith($"Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [", message, StringComparison.Ordinal);
        Assert.Contains("age", message, StringComparison.Ordinal);

        var check = await registry.OkAsync(HttpMethod.Post, $"/compatibility/subjects/{subject}/versions/latest?verbose=true", new { schema = TestSchemas.AvroUserWithAge });
        Assert.False(check.GetProperty("is_compatible").GetBoolean());
        Assert.Contains(check.GetProperty("messages").EnumerateArray(), m => m.GetString()!.Contains("age", StringComparison.Ordinal));
        var quiet = await registry.OkAsync(HttpMethod.Post, $"/compatibility/subjects/{subject}/versions/1", new { schema = TestSchemas.AvroUserWithAge });
        Assert.False(quiet.GetProperty("is_compatible").GetBoolean());
        Assert.False(quiet.TryGetProperty("messages", out _));
        var good = await registry.OkAsync(HttpMethod.Post, $"/compatibility/subjects/{subject}/versions", new { schema = TestSchemas.AvroUserWithEmail });
        Assert.True(good.GetProperty("is_compatible").GetBoolean());
        await registry.ErrorAsync(HttpMethod.Post, $"/compatibility/subjects/{subject}/versions/7", 40402, new { schema = TestSchemas.AvroUserWithEmail });

        Assert.Equal("BACKWARD", (await registry.GetAsync("/config")).GetProperty("compatibilityLevel").GetString());
        Assert.Equal("BACKWARD", (await registry.GetAsync($"/config/{subject}?defaultToGlobal=true")).GetProperty("compatibilityLevel").GetString());
        Assert.Equal("NONE", (await registry.OkAsync(HttpMethod.Put, $"/config/{subject}", new { compatibility = "none" })).GetProperty("compatibility").GetString());
        Assert.Equal("NONE", (await registry.GetAsync($"/config/{subject}")).GetProperty("compatibilityLevel").GetString());
        var v2 = await registry.RegisterAsync(subject, TestSchemas.AvroUserWithAge, schemaType: null);
        Assert.NotEqual(v1, v2);
        Assert.Equal(2, (await registry.GetAsync($"/subjects/{subject}/versions/latest")).GetProperty("version").GetInt32());

        Assert.Equal("NONE", (await registry.OkAsync(HttpMethod.Delete, $"/config/{subject}")).GetProperty("compatibilityLevel").GetString());
        await registry.ErrorAsync(HttpMethod.Get, $"/config/{subject}", 40408);
        Assert.Equal("FULL", (await registry.OkAsync(HttpMethod.Put, "/config", new { compatibility = "FULL" })).GetProperty("compatibility").GetString());
        Assert.Equal("FULL", (await registry.GetAsync($"/config/{subject}?defaultToGlobal=true")).GetProperty("compatibilityLevel").GetString());
        Assert.Equal("FULL", (await registry.OkAsync(HttpMethod.Delete, "/config")).GetProperty("compatibilityLevel").GetString());
        Assert.Equal("BACKWARD", (await registry.GetAsync("/config")).GetProperty("compatibilityLevel").GetString());
    }

    [Fact]
    public async Task Readonly_mode_refuses_registration_and_deletes_with_42205_and_import_mode_keeps_ids_and_versions()
    {
        using var registry = await RegistryAsync();
        var subject = NewSubject();
        await registry.OkAsync(HttpMethod.Put, $"/config/{subject}", new { compatibility = "NONE" });
        await registry.RegisterAsync(subject, TestSchemas.Json("sku"));

        Assert.Equal("READONLY", (await registry.OkAsync(HttpMethod.Put, $"/mode/{subject}", new { mode = "READONLY" })).GetProperty("mode").GetString());
        Assert.Equal("READONLY", (await registry.GetAsync($"/mode/{subject}")).GetProperty("mode").GetString());
        await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{subject}/versions", 42205, new { schema = TestSchemas.Json("price"), schemaType = "JSON" });
        await registry.ErrorAsync(HttpMethod.Delete, $"/subjects/{subject}", 42205);
        await registry.GetAsync($"/subjects/{subject}/versions/latest");
        Assert.Equal("READONLY", (await registry.OkAsync(HttpMethod.Delete, $"/mode/{subject}")).GetProperty("mode").GetString());
        await registry.RegisterAsync(subject, TestSchemas.Json("price"));

        // The tenant's READONLY_OVERRIDE beats a subject's own READWRITE.
        await registry.OkAsync(HttpMethod.Put, $"/mode/{subject}", new { mode = "READWRITE" });
        await registry.OkAsync(HttpMethod.Put, "/mode", new { mode = "READONLY_OVERRIDE" });
        await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{subject}/versions", 42205, new { schema = TestSchemas.Json("qty"), schemaType = "JSON" });
        await registry.OkAsync(HttpMethod.Put, "/mode", new { mode = "READWRITE" });
        Assert.Equal("READWRITE", (await registry.GetAsync("/mode")).GetProperty("mode").GetString());

        // An id and a version may be given only in IMPORT mode, which a subject with versions enters only with force.
        await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{subject}/versions", 42205, new { schema = TestSchemas.Json("qty"), schemaType = "JSON", id = 1, version = 9 });
        await registry.ErrorAsync(HttpMethod.Put, $"/mode/{subject}", 42205, new { mode = "IMPORT" });
        var imported = NewSubject();
        await registry.OkAsync(HttpMethod.Put, $"/mode/{imported}", new { mode = "IMPORT" });
        var importId = 1_500_000_000 + Random.Shared.Next(100_000_000);
        var answer = await registry.OkAsync(HttpMethod.Post, $"/subjects/{imported}/versions", new { schema = TestSchemas.Json("imported"), schemaType = "JSON", id = importId, version = 5 });
        Assert.Equal(importId, answer.GetProperty("id").GetInt32());
        var five = await registry.GetAsync($"/subjects/{imported}/versions/5");
        Assert.Equal(importId, five.GetProperty("id").GetInt32());
        await registry.ErrorAsync(HttpMethod.Post, $"/subjects/{imported}/versions", 42205, new { schema = TestSchemas.Json("clash"), schemaType = "JSON", id = importId, version = 6 });
        await registry.OkAsync(HttpMethod.Delete, $"/mode/{imported}");
        // Back in READWRITE, the next version follows the imported one.
        await registry.OkAsync(HttpMethod.Put, $"/config/{imported}", new { compatibility = "NONE" });
        await registry.RegisterAsync(imported, TestSchemas.Json("next"));
        Assert.Equal(6, (await registry.GetAsync($"/subjects/{imported}/versions/latest")).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Concurrent_registrations_of_different_schemas_to_one_subject_get_distinct_consecutive_versions()
    {
        using var registry = await RegistryAsync();
        var subject = NewSubject();
        await registry.OkAsync(HttpMethod.Put, $"/config/{subject}", new { compatibility = "NONE" });
        const int Count = 12;
        var ids = await Task.WhenAll(Enumerable.Range(0, Count).Select(i => registry.RegisterAsync(subject, TestSchemas.Json($"field{i}"))));
        Assert.Equal(Count, ids.Distinct().Count());
        Assert.Equal(Enumerable.Range(1, Count), (await registry.GetAsync($"/subjects/{subject}/versions")).EnumerateArray().Select(v => v.GetInt32()));
        var byVersion = new HashSet<int>();
        for (var version = 1; version <= Count; version++)
        {
            byVersion.Add((await registry.GetAsync($"/subjects/{subject}/versions/{version}")).GetProperty("id").GetInt32());
        }

        Assert.True(byVersion.SetEquals(ids));
    }
}
