using System.Globalization;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Kinesis;

/// <summary>
/// The Kinesis JSON API against real third-party clients: the AWS CLI and boto3 each run a
/// compatibility script (tests/compat/) against the cluster's HTTP/1.1 port, signing with an access
/// key of a tenant of their own. Both clients speak HTTP/1.1 only. ./tests/run.sh installs them
/// (Debian packages awscli and python3-boto3); whichever <c>aws</c> and <c>python3</c> are on PATH
/// are used.
/// </summary>
[Collection(KinesisClientCollection.Name)]
public sealed class RealClientTests(KinesisClientFixture cluster)
{
    // Below the suite's 5-minute hang guard, so a stuck script fails here with its output.
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(60);
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

    /// <summary>Fails (never skips) when a client is missing: the suite is meant to run them.</summary>
    private static async Task RequireAsync(string program, string[] probe, string what, string debianPackage)
    {
        var path = ToolProcess.FindOnPath(program);
        Assert.True(path is not null,
            $"{what} is missing: {program} is not on PATH. Run the suite with ./tests/run.sh, which installs the Debian package {debianPackage}.");
        var result = await ToolProcess.RunAsync(path, probe, ProbeTimeout);
        Assert.True(result.ExitCode == 0,
            $"{what} is missing or broken ({path} {string.Join(' ', probe)}: {result.Describe()}). Run the suite with ./tests/run.sh, which installs the Debian package {debianPackage}.");
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

    private async Task<ToolProcess.Result> RunScriptAsync(string interpreter, string script, string client)
    {
        var tenant = await cluster.CreateTenantAsync($"compat-{client}");
        var key = await cluster.CreateAccessKeyAsync(tenant, $"RealClientTests ({client})");
        var environment = ClientEnvironment(key);
        environment["SLUICE_EXPECTED_ACCOUNT_ID"] = tenant.AccountId;
        environment["SLUICE_COMPAT_STREAM"] = $"compat-{client}-{Guid.NewGuid():N}";
        environment["SLUICE_ITERATOR_LIFETIME_S"] = KinesisClientFixture.IteratorLifetimeSeconds.ToString(CultureInfo.InvariantCulture);
        environment["PYTHONDONTWRITEBYTECODE"] = "1";

        var endpoint = cluster.HttpEndpoint.ToString().TrimEnd('/');
        return await ToolProcess.RunAsync(interpreter, [Path.Combine(TestEnvironment.RepositoryRoot, script), endpoint], ScriptTimeout, environment);
    }
}
