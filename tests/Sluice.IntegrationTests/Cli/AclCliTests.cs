using Sluice.Cli;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Cli;

[Collection(ClusterCollection.Name)]
public sealed class AclCliTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Acl_entries_are_added_listed_and_removed_from_the_command_line()
    {
        var tenant = await cluster.CreateTenantAsync("cli-acl");

        var add = await RunAsync(tenant, ["acl", "add", "--tenant", tenant.Name, "--principal", "service:ingest", "--operation", "produce", "--stream", "orders-*"]);
        Assert.True(add.ExitCode == 0, add.Stderr);
        var id = Guid.Parse(add.Stdout.Trim());
        var deny = await RunAsync(tenant, ["acl", "add", "--tenant", tenant.Name, "--principal", "*", "--deny", "--operation", "manage", "--stream", "*"]);
        Assert.True(deny.ExitCode == 0, deny.Stderr);

        var list = await RunAsync(tenant, ["acl", "list", "--tenant", tenant.Name, "--principal", "service:ingest"]);
        Assert.Equal(0, list.ExitCode);
        var lines = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains(id.ToString(), lines[1], StringComparison.Ordinal);
        Assert.Contains("allow", lines[1], StringComparison.Ordinal);
        Assert.Contains("orders-*", lines[1], StringComparison.Ordinal);

        var duplicate = await RunAsync(tenant, ["acl", "add", "--tenant", tenant.Name, "--principal", "service:ingest", "--operation", "produce", "--stream", "orders-*"]);
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("409", duplicate.Stderr, StringComparison.Ordinal);
        var badPattern = await RunAsync(tenant, ["acl", "add", "--tenant", tenant.Name, "--principal", "service:ingest", "--operation", "produce", "--stream", "or*ders"]);
        Assert.Equal(1, badPattern.ExitCode);
        Assert.Contains("pattern", badPattern.Stderr, StringComparison.Ordinal);

        var remove = await RunAsync(tenant, ["acl", "remove", "--tenant", tenant.Name, "--id", id.ToString()]);
        Assert.True(remove.ExitCode == 0, remove.Stderr);
        var again = await RunAsync(tenant, ["acl", "remove", "--tenant", tenant.Name, "--id", id.ToString()]);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("404", again.Stderr, StringComparison.Ordinal);

        var all = await RunAsync(tenant, ["acl", "list", "--tenant", tenant.Name]);
        Assert.Equal(2, all.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("deny", all.Stdout, StringComparison.Ordinal);

        // Another tenant's admin cannot see this tenant's entries: the missing tenant's 404.
        var other = await cluster.CreateTenantAsync("cli-acl-other");
        var foreign = await RunAsync(other, ["acl", "list", "--tenant", tenant.Name]);
        Assert.Equal(1, foreign.ExitCode);
        Assert.Contains("404", foreign.Stderr, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TestTenant tenant, string[] args)
    {
        var environment = new Dictionary<string, string?>
        {
            ["SLUICE_GRPC"] = cluster.GrpcEndpoint.ToString(),
            ["SLUICE_HTTP"] = cluster.HttpEndpoint.ToString(),
            ["SLUICE_TOKEN"] = tenant.Token,
        };
        using var input = new StringReader("");
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var code = await Program.RunAsync(args, new CliContext(input, output, error, name => environment.GetValueOrDefault(name)), timeout.Token);
        return (code, output.ToString(), error.ToString());
    }
}
