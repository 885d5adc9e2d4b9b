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

    private async Task<ToolProcess.Result> RunScriptAsync(string interpreter, string script, string client)
    {
        var tenant = await cluster.CreateTenantAsync($"compat-{client}");
        var key = await cluster.CreateAccessKeyAsync(tenant, $"RealClientTests ({client})");
        // Nothing of the machine's own AWS set-up (profiles, config files, endpoints) may leak in.
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
        environment["SLUICE_EXPECTED_ACCOUNT_ID"] = tenant.AccountId;
        environment["SLUICE_COMPAT_STREAM"] = $"compat-{client}-{Guid.NewGuid():N}";
        environment["SLUICE_ITERATOR_LIFETIME_S"] = KinesisClientFixture.IteratorLifetimeSeconds.ToString(CultureInfo.InvariantCulture);
        environment["PYTHONDONTWRITEBYTECODE"] = "1";

        var endpoint = cluster.HttpEndpoint.ToString().TrimEnd('/');
        return await ToolProcess.RunAsync(interpreter, [Path.Combine(TestEnvironment.RepositoryRoot, script), endpoint], ScriptTimeout, environment);
    }
}
