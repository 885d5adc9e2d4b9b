using Sluice.Cli;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.SchemaRegistry;

/// <summary><c>sluice schemas …</c> against the gateway's registry, found through <c>SLUICE_SCHEMA_REGISTRY</c> as the dev cluster sets it, or <c>SLUICE_HTTP</c>.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SchemaRegistryCliTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Schemas_are_registered_listed_shown_configured_and_deleted_from_the_command_line()
    {
        var tenant = await cluster.CreateTenantAsync("srcli");
        var file = Path.Combine(Path.GetTempPath(), $"sluice-schema-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, TestSchemas.Json("sku"));
        try
        {
            var register = await RunAsync(tenant, ["schemas", "register", "orders-value", "--type", "JSON", "--file", file]);
            Assert.True(register.ExitCode == 0, register.Stderr);
            Assert.Matches(@"^id \d+ version 1 subject orders-value\s*$", register.Stdout);

            var subjects = await RunAsync(tenant, ["schemas", "subjects"], viaHttp: true);
            Assert.Equal("orders-value", subjects.Stdout.Trim());

            var show = await RunAsync(tenant, ["schemas", "show", "orders-value"]);
            Assert.True(show.ExitCode == 0, show.Stderr);
            var lines = show.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("subject orders-value version 1 id ", lines[0], StringComparison.Ordinal);
            Assert.EndsWith("type JSON versions 1", lines[0], StringComparison.Ordinal);
            Assert.Equal(TestSchemas.Json("sku"), lines[1]);

            Assert.Equal("BACKWARD", (await RunAsync(tenant, ["schemas", "config", "orders-value"])).Stdout.Trim());
            Assert.Equal("NONE", (await RunAsync(tenant, ["schemas", "config", "orders-value", "--compatibility", "none"])).Stdout.Trim());
            Assert.Equal("BACKWARD", (await RunAsync(tenant, ["schemas", "config"])).Stdout.Trim());
            var badLevel = await RunAsync(tenant, ["schemas", "config", "--compatibility", "sideways"]);
            Assert.Equal(1, badLevel.ExitCode);
            Assert.Contains("error 42203", badLevel.Stderr, StringComparison.Ordinal);

            var missing = await RunAsync(tenant, ["schemas", "show", "payments-value"]);
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains("Subject 'payments-value' not found. (error 40401, HTTP 404)", missing.Stderr, StringComparison.Ordinal);
            var hardFirst = await RunAsync(tenant, ["schemas", "delete", "orders-value", "--permanent"]);
            Assert.Equal(1, hardFirst.ExitCode);
            Assert.Contains("error 40405", hardFirst.Stderr, StringComparison.Ordinal);

            Assert.Equal("1", (await RunAsync(tenant, ["schemas", "delete", "orders-value"])).Stdout.Trim());
            Assert.Equal("1", (await RunAsync(tenant, ["schemas", "delete", "orders-value", "--version", "1", "--permanent"])).Stdout.Trim());
            Assert.Equal("", (await RunAsync(tenant, ["schemas", "subjects", "--deleted"])).Stdout.Trim());

            var unauthenticated = await RunAsync(tenant with { Token = "not-a-token" }, ["schemas", "subjects"]);
            Assert.Equal(1, unauthenticated.ExitCode);
            Assert.Contains("error 40101", unauthenticated.Stderr, StringComparison.Ordinal);
            Assert.Contains("SLUICE_TOKEN", unauthenticated.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TestTenant tenant, string[] args, bool viaHttp = false)
    {
        var environment = new Dictionary<string, string?>
        {
            ["SLUICE_HTTP"] = cluster.HttpEndpoint.ToString(),
            ["SLUICE_TOKEN"] = tenant.Token,
            ["SLUICE_SCHEMA_REGISTRY"] = viaHttp ? null : new Uri(cluster.HttpEndpoint, "schema-registry").ToString(),
        };
        using var input = new StringReader("");
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var code = await Program.RunAsync(args, new CliContext(input, output, error, name => environment.GetValueOrDefault(name)), timeout.Token);
        return (code, output.ToString(), error.ToString());
    }
}
