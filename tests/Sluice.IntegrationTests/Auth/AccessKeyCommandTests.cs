using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Metadata;

namespace Sluice.IntegrationTests.Auth;

/// <summary>
/// <c>Sluice.Gateway.dll access-key …</c> run as the real gateway binary against a real metadata
/// database, checked through an <see cref="AccessKeyStore"/> holding the same master key.
/// </summary>
[Collection(MetadataDatabaseCollection.Name)]
public sealed class AccessKeyCommandTests(MetadataDatabaseFixture database)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private readonly string _masterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretProtectionOptions.MasterKeyBytes));

    [Fact]
    public async Task Create_makes_the_tenant_and_prints_only_the_two_variables_of_a_working_key()
    {
        var tenant = UniqueTenant();

        var result = await RunAsync("create", "--tenant", tenant, "--description", "ci pipeline");

        Assert.True(result.ExitCode == 0, result.Describe());
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches("^AWS_ACCESS_KEY_ID=SLU[A-Z2-7]{17}$", lines[0]);
        Assert.Matches("^AWS_SECRET_ACCESS_KEY=[A-Za-z0-9+/]{40}$", lines[1]);
        var id = lines[0]["AWS_ACCESS_KEY_ID=".Length..];
        var secret = lines[1]["AWS_SECRET_ACCESS_KEY=".Length..];
        Assert.DoesNotContain(secret, result.StandardError, StringComparison.Ordinal);

        var found = await NewStore().FindActiveAsync(id);
        Assert.NotNull(found);
        Assert.Equal(secret, found.SecretAccessKey);
        Assert.Equal(tenant, found.Tenant.Name);
        Assert.Matches("^[1-9][0-9]{11}$", found.Tenant.AccountId);
    }

    [Fact]
    public async Task List_disable_enable_and_delete_manage_a_key_without_showing_its_secret()
    {
        var tenant = UniqueTenant();
        var created = await RunAsync("create", "--tenant", tenant);
        Assert.True(created.ExitCode == 0, created.Describe());
        var id = created.StandardOutput.Split('\n')[0]["AWS_ACCESS_KEY_ID=".Length..].Trim();
        var secret = created.StandardOutput.Split('\n')[1]["AWS_SECRET_ACCESS_KEY=".Length..].Trim();

        var listed = await RunAsync("list", "--tenant", tenant);
        Assert.True(listed.ExitCode == 0, listed.Describe());
        Assert.StartsWith("ACCESS_KEY_ID\tSTATUS\t", listed.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"{id}\tActive\t", listed.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed.StandardOutput, StringComparison.Ordinal);

        var disabled = await RunAsync("disable", "--tenant", tenant, "--id", id);
        Assert.True(disabled.ExitCode == 0, disabled.Describe());
        Assert.Null(await NewStore().FindActiveAsync(id));
        Assert.Contains($"{id}\tInactive\t", (await RunAsync("list", "--tenant", tenant)).StandardOutput, StringComparison.Ordinal);

        var enabled = await RunAsync("enable", "--tenant", tenant, "--id", id);
        Assert.True(enabled.ExitCode == 0, enabled.Describe());
        Assert.NotNull(await NewStore().FindActiveAsync(id));

        var deleted = await RunAsync("delete", "--tenant", tenant, "--id", id);
        Assert.True(deleted.ExitCode == 0, deleted.Describe());
        Assert.Null(await NewStore().FindActiveAsync(id));
        Assert.DoesNotContain(id, (await RunAsync("list", "--tenant", tenant)).StandardOutput, StringComparison.Ordinal);

        var again = await RunAsync("delete", "--tenant", tenant, "--id", id);
        Assert.True(again.ExitCode == 1, again.Describe());
        Assert.Contains($"has no access key '{id}'", again.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_of_another_tenant_is_not_found_and_a_missing_tenant_is_not_created()
    {
        var owner = UniqueTenant();
        var other = UniqueTenant();
        var created = await RunAsync("create", "--tenant", owner);
        Assert.True(created.ExitCode == 0, created.Describe());
        var otherCreated = await RunAsync("create", "--tenant", other);
        Assert.True(otherCreated.ExitCode == 0, otherCreated.Describe());
        var id = created.StandardOutput.Split('\n')[0]["AWS_ACCESS_KEY_ID=".Length..].Trim();

        var foreign = await RunAsync("disable", "--tenant", other, "--id", id);
        Assert.True(foreign.ExitCode == 1, foreign.Describe());
        Assert.NotNull(await NewStore().FindActiveAsync(id));

        var missing = UniqueTenant();
        var listed = await RunAsync("list", "--tenant", missing);
        Assert.True(listed.ExitCode == 1, listed.Describe());
        Assert.Contains($"there is no tenant '{missing}'", listed.StandardError, StringComparison.Ordinal);
        Assert.Null(await new TenantDirectory(database.Contexts, TimeProvider.System).FindByNameAsync(missing));
    }

    [Theory]
    [InlineData]
    [InlineData("rotate", "--tenant", "t")]
    [InlineData("create")]
    [InlineData("create", "--tenant")]
    [InlineData("create", "--tenant", "t", "--id", "SLUAAAAAAAAAAAAAAAAA")]
    [InlineData("list", "--tenant", "t", "--description", "x")]
    [InlineData("disable", "--tenant", "t")]
    [InlineData("delete", "--id", "SLUAAAAAAAAAAAAAAAAA")]
    [InlineData("enable", "--tenant", "t", "--id", "SLUAAAAAAAAAAAAAAAAA", "extra")]
    public async Task Usage_errors_exit_2_with_the_usage_on_stderr(params string[] args)
    {
        var result = await RunAsync(args);

        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.Contains("usage: access-key create --tenant NAME", result.StandardError, StringComparison.Ordinal);
        Assert.Equal("", result.StandardOutput);
    }

    [Fact]
    public async Task A_description_longer_than_the_limit_is_a_usage_error()
    {
        var result = await RunAsync("create", "--tenant", UniqueTenant(), "--description", new string('d', AccessKeyStore.MaxDescriptionLength + 1));

        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.Contains("--description", result.StandardError, StringComparison.Ordinal);
    }

    private static string UniqueTenant() => $"akc-{Guid.NewGuid():N}";

    private AccessKeyStore NewStore() => new(database.Contexts, new SecretProtector(new SecretProtectionOptions { MasterKey = _masterKey }),
        TimeProvider.System, NullLogger<AccessKeyStore>.Instance);

    private Task<ToolProcess.Result> RunAsync(params string[] args) =>
        ToolProcess.RunAsync("dotnet", [TestEnvironment.GatewayDll, "access-key", .. args], CommandTimeout, new Dictionary<string, string?>
        {
            ["ConnectionStrings__Metadata"] = database.ConnectionString,
            ["Sluice__Security__MasterKey"] = _masterKey,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_gcServer"] = "0",
        }, Path.GetDirectoryName(TestEnvironment.GatewayDll));
}
