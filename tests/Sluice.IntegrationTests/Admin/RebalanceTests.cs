using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Cli;
using Sluice.IntegrationTests.Faults.Replication;
using Sluice.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Sluice.IntegrationTests.Admin;

/// <summary>
/// Horizontal scale (issue 4): a fourth storage node joins a three-node cluster while a producer writes with
/// acks=all to an RF 3 stream, and a rebalance moves replicas and leadership onto it. The new replicas catch up and
/// join the ISR, the old ones are removed, writes never stop, and the <see cref="HistoryChecker"/> finds every
/// acknowledged record exactly once, in order. Also: the admin endpoints' authentication, and the CLI.
/// </summary>
[Collection(RebalanceClusterCollection.Name)]
public sealed class RebalanceTests(RebalanceClusterFixture cluster, ITestOutputHelper output)
{
    private const string NewNode = "node-4";
    private const int WarmUpAcks = 200;
    private const int AcksAfterRebalance = 100;

    /// <summary>New replicas catching up and joining the ISR, leadership moving, old replicas removed, on a loaded machine.</summary>
    private static readonly TimeSpan RebalanceTimeout = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Admin_endpoints_need_a_token_with_the_admin_role()
    {
        var tenant = await cluster.CreateTenantAsync("adm");
        using var anonymous = cluster.CreateHttpClient(null);
        using var tenantOnly = cluster.CreateHttpClient(tenant.Token);
        using var admin = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromMinutes(10)));

        foreach (var (method, path) in new[] { (HttpMethod.Get, "/admin/v1/cluster/nodes"), (HttpMethod.Post, "/admin/v1/cluster/rebalance?dryRun=true"), (HttpMethod.Get, "/admin/v1/cluster/rebalance") })
        {
            using var unauthenticated = await anonymous.SendAsync(new HttpRequestMessage(method, path));
            Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
            using var forbidden = await tenantOnly.SendAsync(new HttpRequestMessage(method, path));
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);
            using var allowed = await admin.SendAsync(new HttpRequestMessage(method, path));
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        // A token signed with another key carrying the role is no admin.
        using var forged = cluster.CreateHttpClient(cluster.IssueToken(tenant.Name, TimeSpan.FromMinutes(10), signingKey: new byte[48]));
        using var refused = await forged.GetAsync(new Uri("/admin/v1/cluster/nodes", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // An admin token without a tenant reaches no tenant's streams.
        using var streams = await admin.GetAsync(new Uri("/v1/streams", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, streams.StatusCode);
    }

    [Fact]
    public async Task A_new_node_takes_over_replicas_and_leadership_while_writes_go_on_and_nothing_acknowledged_is_lost()
    {
        using var admin = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromHours(1)));
        await using var run = await ReplicationScenario.CreateAsync(cluster, output, "rebalance", seed: 404);
        var before = await cluster.ShardStatesAsync(run.StreamId);
        Assert.All(before, s => Assert.Equal(3, s.Replicas.Count));
        run.StartWorkload();
        await run.Workload.WaitForMoreAcksAsync(WarmUpAcks, LoadTimeout);

        if (cluster.Nodes.All(n => n.Name != NewNode))
        {
            await cluster.AddNodeAsync(NewNode);
        }

        await cluster.WaitForLiveNodesAsync(4, StartTimeout);
        run.Mark($"{NewNode} started");

        // A dry run plans without starting anything.
        var dryRun = await ReadJsonAsync(await admin.PostAsync(new Uri("/admin/v1/cluster/rebalance?dryRun=true", UriKind.Relative), null));
        Assert.True(dryRun.GetProperty("dryRun").GetBoolean());
        Assert.NotEqual(0, dryRun.GetProperty("moves").GetArrayLength());
        Assert.False((await ReadJsonAsync(await admin.GetAsync(new Uri("/admin/v1/cluster/rebalance", UriKind.Relative)))).GetProperty("inProgress").GetBoolean());

        var rebalance = await ReadJsonAsync(await admin.PostAsync(new Uri("/admin/v1/cluster/rebalance", UriKind.Relative), null));
        var moves = rebalance.GetProperty("moves").EnumerateArray().ToList();
        output.WriteLine($"rebalance: {rebalance}");
        Assert.NotEmpty(moves);
        Assert.Equal(0, rebalance.GetProperty("notStarted").GetArrayLength());
        Assert.All(moves, m => Assert.All(m.GetProperty("adding").EnumerateArray(), a => Assert.Equal(NewNode, a.GetString())));
        run.Mark($"rebalance started: {moves.Count} move(s)");

        // A second rebalance is refused while the first is under way (unless the first already finished).
        using (var second = await admin.PostAsync(new Uri("/admin/v1/cluster/rebalance", UriKind.Relative), null))
        {
            Assert.True(second.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.OK, $"second rebalance: {second.StatusCode}");
        }

        await Wait.UntilAsync(async () =>
        {
            var progress = await ReadJsonAsync(await admin.GetAsync(new Uri("/admin/v1/cluster/rebalance", UriKind.Relative)));
            return !progress.GetProperty("inProgress").GetBoolean();
        }, RebalanceTimeout, () => "the rebalance to complete");
        run.Mark("rebalance complete");
        await run.Workload.WaitForMoreAcksAsync(AcksAfterRebalance, LoadTimeout);

        // The stream's 4 shards × RF 3 = 12 replicas: 3 on each of the 4 nodes, each shard's replicas all in its ISR,
        // and each node leading one shard.
        var after = await cluster.ShardStatesAsync(run.StreamId);
        foreach (var shard in after)
        {
            output.WriteLine($"shard {shard.ShardIndex}: leader {shard.LeaderNodeId} epoch {shard.LeaderEpoch}, replicas [{string.Join(",", shard.Replicas)}], isr [{string.Join(",", shard.Isr)}]");
            Assert.Equal(3, shard.Replicas.Count);
            Assert.Equal(shard.Replicas.Order(), shard.Isr.Order());
            Assert.Equal(shard.Replicas[0], shard.LeaderNodeId);
        }

        var perNode = after.SelectMany(s => s.Replicas).GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(3, perNode.GetValueOrDefault(NewNode));
        Assert.All(perNode.Values, count => Assert.Equal(3, count));
        Assert.Equal(4, after.Select(s => s.LeaderNodeId).Distinct().Count());

        var nodes = await ReadJsonAsync(await admin.GetAsync(new Uri("/admin/v1/cluster/nodes", UriKind.Relative)));
        var newNode = nodes.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetString() == NewNode);
        Assert.True(newNode.GetProperty("live").GetBoolean());
        Assert.True(newNode.GetProperty("replicas").GetInt32() >= 3);

        var cli = await RunCliAsync(["cluster", "nodes"]);
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.Contains(NewNode, cli.Stdout, StringComparison.Ordinal);
        var cliRebalance = await RunCliAsync(["cluster", "rebalance", "--dry-run"]);
        Assert.True(cliRebalance.ExitCode == 0, cliRebalance.Stderr);
        Assert.Contains("dry run", cliRebalance.Stderr, StringComparison.Ordinal);

        var result = await run.FinishAsync();
        Assert.True(result.IsClean, result.Describe());
        run.AssertWritesResumedAfterEveryFault();
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
            return JsonDocument.Parse(body).RootElement.Clone();
        }
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(string[] args)
    {
        var environment = new Dictionary<string, string?>
        {
            ["SLUICE_HTTP"] = cluster.HttpEndpoint.ToString(),
            ["SLUICE_TOKEN"] = cluster.IssueAdminToken(TimeSpan.FromMinutes(10)),
        };
        using var input = new StringReader("");
        await using var stdout = new StringWriter();
        await using var stderr = new StringWriter();
        using var timeout = new CancellationTokenSource(LoadTimeout);
        var code = await Program.RunAsync(args, new CliContext(input, stdout, stderr, name => environment.GetValueOrDefault(name)), timeout.Token);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
