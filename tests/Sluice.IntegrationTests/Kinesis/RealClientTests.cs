using System.Globalization;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Kinesis;

/// <summary>
/// The Kinesis JSON API against real third-party clients, each running a compatibility script
/// (tests/compat/) and signing with an access key of a tenant of its own: the AWS CLI and boto3
/// (HTTP/1.1 only) against the cluster's HTTP/1.1 port, and the AWS SDK for JavaScript v3
/// (tests/compat/node/, pinned by its package-lock.json and installed there with <c>npm ci</c>) with
/// its default HTTP/2 handler against the cleartext HTTP/2 port and the TLS port, and with its
/// HTTP/1.1 handler against the HTTP/1.1 port. ./tests/run.sh installs the tools when missing
/// (Debian packages awscli, python3-boto3, nodejs, npm); whichever <c>aws</c>, <c>python3</c>,
/// <c>node</c> and <c>npm</c> are on PATH are used.
/// </summary>
[Collection(KinesisClientCollection.Name)]
public sealed class RealClientTests(KinesisClientFixture cluster)
{
    // Below the suite's 5-minute hang guard, so a stuck script fails here with its output.
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(6);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(60);

    // npm ci and a script together stay below the suite's 5-minute hang guard.
    private static readonly TimeSpan NpmCiTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan NodeScriptTimeout = TimeSpan.FromSeconds(190);
    private static readonly string NodeCompatDirectory = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "compat", "node");

    // The Node tests share tests/compat/node/node_modules: one npm ci per test run, never two at once.
    private static readonly SemaphoreSlim NodeModulesLock = new(1, 1);
    private static bool _nodeModulesChecked;
    private const string Region = "us-east-1";

    [Fact]
    public async Task Aws_cli_creates_writes_reads_back_and_deletes_a_stream()
    {
        await RequireAsync("aws", ["--version"], "the AWS CLI (aws)", "awscli");
        await RequireAsync("python3", ["--version"], "python3", "python3");

        var result = await RunScriptAsync("bash", Path.Combine("tests", "compat", "kinesis_cli.sh"), "cli");

        Assert.True(result.ExitCode == 0, $"tests/compat/kinesis_cli.sh failed against {cluster.HttpEndpoint}: {result.Describe()}");
        Assert.Contains("PASS: AWS CLI compatibility", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Boto3_creates_writes_reads_back_and_deletes_a_stream()
    {
        await RequireAsync("python3", ["-c", "import boto3"], "boto3 for python3", "python3-boto3");

        var result = await RunScriptAsync("python3", Path.Combine("tests", "compat", "kinesis_boto3.py"), "boto3");

        Assert.True(result.ExitCode == 0, $"tests/compat/kinesis_boto3.py failed against {cluster.HttpEndpoint}: {result.Describe()}");
        Assert.Contains("PASS: boto3 compatibility", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("ExpiredIteratorException", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Aws_cli_talks_to_the_TLS_port_trusting_the_gateway_certificate()
    {
        await RequireAsync("aws", ["--version"], "the AWS CLI (aws)", "awscli");
        var tenant = await cluster.CreateTenantAsync("compat-tls");
        var key = await cluster.CreateAccessKeyAsync(tenant, "RealClientTests (tls)");
        var environment = ClientEnvironment(key);
        environment["AWS_CA_BUNDLE"] = cluster.TlsCertificatePath;
        var endpoint = cluster.HttpsEndpoint.ToString().TrimEnd('/');
        var stream = $"compat-tls-{Guid.NewGuid():N}";

        var create = await ToolProcess.RunAsync("aws", ["--endpoint-url", endpoint, "kinesis", "create-stream", "--stream-name", stream, "--shard-count", "1"], ProbeTimeout, environment);
        Assert.True(create.ExitCode == 0, create.Describe());
        var list = await ToolProcess.RunAsync("aws", ["--endpoint-url", endpoint, "kinesis", "list-streams"], ProbeTimeout, environment);
        Assert.True(list.ExitCode == 0, list.Describe());
        Assert.Contains(stream, list.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"arn:aws:kinesis:{Region}:{tenant.AccountId}:stream/{stream}", list.StandardOutput, StringComparison.Ordinal);

        // Without the bundle the CLI does not trust the self-signed certificate.
        environment.Remove("AWS_CA_BUNDLE");
        environment["AWS_MAX_ATTEMPTS"] = "1";
        var untrusted = await ToolProcess.RunAsync("aws", ["--endpoint-url", endpoint, "kinesis", "list-streams"], ProbeTimeout, environment);
        Assert.NotEqual(0, untrusted.ExitCode);
        Assert.Contains("SSL", untrusted.StandardError + untrusted.StandardOutput, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public Task Aws_sdk_for_javascript_uses_its_default_http2_handler_against_the_cleartext_http2_port() =>
        RunNodeScriptAsync(cluster.GrpcEndpoint, "http2", "HTTP/2 (h2c)");

    [Fact]
    public Task Aws_sdk_for_javascript_uses_its_default_http2_handler_against_the_TLS_port_trusting_the_gateway_certificate() =>
        RunNodeScriptAsync(cluster.HttpsEndpoint, "http2", "HTTP/2 (h2)", trustGatewayCertificate: true);

    [Fact]
    public Task Aws_sdk_for_javascript_with_NodeHttpHandler_uses_http11_against_the_http_port() =>
        RunNodeScriptAsync(cluster.HttpEndpoint, "http1", "HTTP/1.1");

    /// <summary>Fails (never skips) when a client is missing: the suite is meant to run them.</summary>
    private static async Task<ToolProcess.Result> RequireAsync(string program, string[] probe, string what, string debianPackage)
    {
        var path = ToolProcess.FindOnPath(program);
        Assert.True(path is not null,
            $"{what} is missing: {program} is not on PATH. Run the suite with ./tests/run.sh, which installs the Debian package {debianPackage}.");
        var result = await ToolProcess.RunAsync(path, probe, ProbeTimeout);
        Assert.True(result.ExitCode == 0,
            $"{what} is missing or broken ({path} {string.Join(' ', probe)}: {result.Describe()}). Run the suite with ./tests/run.sh, which installs the Debian package {debianPackage}.");
        return result;
    }

    /// <summary>The key's credentials and nothing of the machine's own AWS set-up (profiles, config files, endpoints).</summary>
    private static Dictionary<string, string?> ClientEnvironment(Sluice.Metadata.NewAccessKey key)
    {
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(name => name.StartsWith("AWS_", StringComparison.Ordinal))
            .ToDictionary(name => name, _ => (string?)null);
        var noConfig = Path.Combine(Path.GetTempPath(), $"sluice-compat-{Guid.NewGuid():N}", "none");
        environment["AWS_CONFIG_FILE"] = noConfig;
        environment["AWS_SHARED_CREDENTIALS_FILE"] = noConfig;
        environment["AWS_ACCESS_KEY_ID"] = key.AccessKeyId;
        environment["AWS_SECRET_ACCESS_KEY"] = key.SecretAccessKey;
        environment["AWS_REGION"] = Region;
        environment["AWS_DEFAULT_REGION"] = Region;
        environment["AWS_EC2_METADATA_DISABLED"] = "true";
        return environment;
    }

    /// <summary>
    /// The environment of a compatibility script: the credentials of a new tenant's access key
    /// (<see cref="ClientEnvironment"/>), the account and stream name it checks, and the fixture's
    /// short iterator lifetime so that it waits one out.
    /// </summary>
    private async Task<Dictionary<string, string?>> ScriptEnvironmentAsync(string client)
    {
        var tenant = await cluster.CreateTenantAsync($"compat-{client}");
        var key = await cluster.CreateAccessKeyAsync(tenant, $"RealClientTests ({client})");
        var environment = ClientEnvironment(key);
        environment["SLUICE_EXPECTED_ACCOUNT_ID"] = tenant.AccountId;
        environment["SLUICE_COMPAT_STREAM"] = $"compat-{client}-{Guid.NewGuid():N}";
        environment["SLUICE_ITERATOR_LIFETIME_S"] = KinesisClientFixture.IteratorLifetimeSeconds.ToString(CultureInfo.InvariantCulture);
        return environment;
    }

    private async Task<ToolProcess.Result> RunScriptAsync(string interpreter, string script, string client)
    {
        var environment = await ScriptEnvironmentAsync(client);
        environment["PYTHONDONTWRITEBYTECODE"] = "1";

        var endpoint = cluster.HttpEndpoint.ToString().TrimEnd('/');
        return await ToolProcess.RunAsync(interpreter, [Path.Combine(TestEnvironment.RepositoryRoot, script), endpoint], ScriptTimeout, environment);
    }

    /// <summary>
    /// Runs tests/compat/node/kinesis_node.mjs with <paramref name="handler"/> (http2: the SDK's
    /// default handler; http1: NodeHttpHandler) against <paramref name="endpoint"/>; the script checks
    /// that every answer came over <paramref name="protocol"/>.
    /// </summary>
    private async Task RunNodeScriptAsync(Uri endpoint, string handler, string protocol, bool trustGatewayCertificate = false)
    {
        await RequireNodeModulesAsync();
        var environment = await ScriptEnvironmentAsync($"node-{handler}");
        // Node reads extra trusted CAs from this variable only, at start.
        environment["NODE_EXTRA_CA_CERTS"] = trustGatewayCertificate ? cluster.TlsCertificatePath : null;

        var url = endpoint.ToString().TrimEnd('/');
        var result = await ToolProcess.RunAsync("node", [Path.Combine(NodeCompatDirectory, "kinesis_node.mjs"), url, handler], NodeScriptTimeout, environment);

        Assert.True(result.ExitCode == 0, $"tests/compat/node/kinesis_node.mjs {handler} failed against {url}: {result.Describe()}");
        Assert.Contains($"PASS: @aws-sdk/client-kinesis ({handler})", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"responses came over {protocol}", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("ExpiredIteratorException", result.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>
    /// Node 20 or later and npm on PATH, and tests/compat/node/node_modules installed from its
    /// package-lock.json: <c>npm ci</c> once per test run when node_modules is missing or older than
    /// package.json or package-lock.json (npm writes node_modules/.package-lock.json last, so an
    /// interrupted install counts as missing).
    /// </summary>
    private static async Task RequireNodeModulesAsync()
    {
        var node = await RequireAsync("node", ["--version"], "Node.js (node)", "nodejs");
        var version = node.StandardOutput.Trim();
        Assert.True(Version.TryParse(version.TrimStart('v'), out var parsed) && parsed.Major >= 20,
            $"Node.js {version} is too old: @aws-sdk/client-kinesis needs Node.js 20 or later (Debian 12's own nodejs package is 18; install a newer one, e.g. from NodeSource).");
        await RequireAsync("npm", ["--version"], "npm", "npm");

        await NodeModulesLock.WaitAsync();
        try
        {
            if (_nodeModulesChecked)
            {
                return;
            }

            var installed = new FileInfo(Path.Combine(NodeCompatDirectory, "node_modules", ".package-lock.json"));
            var fresh = installed.Exists && new[] { "package.json", "package-lock.json" }
                .All(name => File.GetLastWriteTimeUtc(Path.Combine(NodeCompatDirectory, name)) <= installed.LastWriteTimeUtc);
            if (!fresh)
            {
                var npm = await ToolProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], NpmCiTimeout, workingDirectory: NodeCompatDirectory);
                Assert.True(npm.ExitCode == 0, $"npm ci --no-audit --no-fund in {NodeCompatDirectory} failed (it needs the npm registry): {npm.Describe()}");
            }

            _nodeModulesChecked = true;
        }
        finally
        {
            NodeModulesLock.Release();
        }
    }
}
