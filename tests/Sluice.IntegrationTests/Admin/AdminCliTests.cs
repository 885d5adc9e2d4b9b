using System.Text.Json;
using Sluice.Cli;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.IntegrationTests.Kinesis;

namespace Sluice.IntegrationTests.Admin;

/// <summary><c>sluice admin tenants|keys|audit</c> and <c>sluice cluster</c> against the admin API.</summary>
[Collection(AdminClusterCollection.Name)]
public sealed class AdminCliTests(AdminClusterFixture cluster)
{
    [Fact]
    public async Task The_cli_manages_tenants_keys_and_reads_the_audit_log()
    {
        var token = cluster.IssueAdminToken(TimeSpan.FromHours(1));
        var name = $"cli-{Guid.NewGuid():N}";

        var created = await RunAsync(token, ["admin", "tenants", "create", name]);
        Assert.True(created.ExitCode == 0, created.Stderr);
        Assert.Equal("active", JsonDocument.Parse(created.Stdout).RootElement.GetProperty("status").GetString());
        var list = await RunAsync(token, ["admin", "tenants", "list"]);
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Contains(list.Stdout.Split('\n'), line => line.StartsWith(name + " ", StringComparison.Ordinal) && line.Contains("active", StringComparison.Ordinal));

        var key = await RunAsync(token, ["admin", "keys", "create", "--tenant", name, "--description", "from the cli"]);
        Assert.True(key.ExitCode == 0, key.Stderr);
        var (id, secret) = Credentials(key.Stdout);
        using (var kinesis = new SignedKinesisClient(cluster.HttpEndpoint, id, secret))
        {
            await kinesis.CallAsync("ListStreams", new { });
        }

        var keys = await RunAsync(token, ["admin", "keys", "list", "--tenant", name]);
        Assert.True(keys.ExitCode == 0, keys.Stderr);
        Assert.Contains($"{id}\tactive\t-\t", keys.Stdout, StringComparison.Ordinal);
        Assert.Contains("from the cli", keys.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, keys.Stdout, StringComparison.Ordinal);

        var rotated = await RunAsync(token, ["admin", "keys", "rotate", id, "--tenant", name]);
        Assert.True(rotated.ExitCode == 0, rotated.Stderr);
        var (newId, _) = Credentials(rotated.Stdout);
        Assert.Contains($"replaces {id}", rotated.Stderr, StringComparison.Ordinal);
        Assert.Equal($"{newId} inactive\n", (await RunAsync(token, ["admin", "keys", "disable", newId, "--tenant", name])).Stdout);
        Assert.Equal($"{newId} active\n", (await RunAsync(token, ["admin", "keys", "enable", newId, "--tenant", name])).Stdout);
        Assert.Equal($"deleted {newId}\n", (await RunAsync(token, ["admin", "keys", "delete", newId, "--tenant", name])).Stdout);
        var missingKey = await RunAsync(token, ["admin", "keys", "delete", newId, "--tenant", name]);
        Assert.Equal(1, missingKey.ExitCode);
        Assert.Contains("has no access key", missingKey.Stderr, StringComparison.Ordinal);

        Assert.Equal($"{name} suspended\n", (await RunAsync(token, ["admin", "tenants", "suspend", name])).Stdout);
        Assert.Equal($"{name} active\n", (await RunAsync(token, ["admin", "tenants", "resume", name])).Stdout);
        var shown = await RunAsync(token, ["admin", "tenants", "show", name]);
        Assert.True(shown.ExitCode == 0, shown.Stderr);
        Assert.Equal(1, JsonDocument.Parse(shown.Stdout).RootElement.GetProperty("accessKeys").GetInt32());

        var audit = await RunAsync(token, ["admin", "audit", "--tenant", name, "--limit", "3"]);
        Assert.True(audit.ExitCode == 0, audit.Stderr);
        var rows = audit.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, rows.Length);
        Assert.Equal(["tenant.resume", "tenant.suspend", "access-key.delete"], rows.Skip(1).Select(r => r.Split('\t')[3]));
        Assert.All(rows.Skip(1), r => Assert.Equal("127.0.0.1", r.Split('\t')[5]));

        // A tenant's own token may not administer tenants: one clear line.
        var refused = await RunAsync(cluster.IssueToken(name, TimeSpan.FromHours(1)), ["admin", "tenants", "list"]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("platform-admin", refused.Stderr, StringComparison.Ordinal);

        Assert.Equal($"deleted {name}\n", (await RunAsync(token, ["admin", "tenants", "delete", name, "--force"])).Stdout);
        var gone = await RunAsync(token, ["admin", "tenants", "show", name]);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("not found", gone.Stderr, StringComparison.Ordinal);

        var nodes = await RunAsync(token, ["cluster", "nodes"]);
        Assert.True(nodes.ExitCode == 0, nodes.Stderr);
        Assert.Contains("node-1", nodes.Stdout, StringComparison.Ordinal);
    }

    private static (string Id, string Secret) Credentials(string stdout)
    {
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("AWS_ACCESS_KEY_ID=", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("AWS_SECRET_ACCESS_KEY=", lines[1], StringComparison.Ordinal);
        return (lines[0]["AWS_ACCESS_KEY_ID=".Length..], lines[1]["AWS_SECRET_ACCESS_KEY=".Length..]);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string token, string[] args)
    {
        var environment = new Dictionary<string, string?>
        {
            ["SLUICE_HTTP"] = cluster.HttpEndpoint.ToString(),
            ["SLUICE_TOKEN"] = token,
        };
        using var input = new StringReader("");
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var code = await Program.RunAsync(args, new CliContext(input, output, error, name => environment.GetValueOrDefault(name)), timeout.Token);
        return (code, output.ToString(), error.ToString());
    }
}
