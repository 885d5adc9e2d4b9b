using System.Globalization;
using Microsoft.Extensions.Options;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Auth;

/// <summary>
/// <c>Sluice.Gateway access-key …</c>: manages tenants' access keys for the Kinesis-compatible API
/// (AWS Signature V4). <c>create</c> makes the tenant when missing (as <see cref="TokenCommand"/>)
/// and prints the only copy of the secret, as two <c>NAME=value</c> lines a shell can source;
/// the other verbs never show a secret. Exit codes: 0 done, 1 no such tenant or key, 2 usage.
/// </summary>
internal static class AccessKeyCommand
{
    private const int ExitNotFound = 1;
    private const int ExitUsage = 2;

    // The audit log's actor for changes made with this command: the operating-system user who ran it.
    private const string CommandActorPrefix = "gateway-cli:";

    private const string Usage =
        "usage: access-key create --tenant NAME [--description TEXT]\n" +
        "       access-key list --tenant NAME\n" +
        "       access-key disable|enable|delete --tenant NAME --id KEYID";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length >= 2 && args[1] is "-h" or "--help")
        {
            await stdout.WriteLineAsync(Usage);
            return 0;
        }

        if (args.Length < 2)
        {
            return await UsageErrorAsync(stderr, "a verb is required");
        }

        var verb = args[1];
        if (verb is not ("create" or "list" or "disable" or "enable" or "delete"))
        {
            return await UsageErrorAsync(stderr, $"unknown verb '{verb}'");
        }

        string? tenant = null, description = null, keyId = null;
        for (var i = 2; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--tenant" when i + 1 < args.Length && tenant is null:
                    tenant = args[++i];
                    break;
                case "--description" when i + 1 < args.Length && verb == "create" && description is null:
                    description = args[++i];
                    break;
                case "--id" when i + 1 < args.Length && verb is "disable" or "enable" or "delete" && keyId is null:
                    keyId = args[++i];
                    break;
                default:
                    return await UsageErrorAsync(stderr, $"unexpected '{args[i]}'");
            }
        }

        if (string.IsNullOrEmpty(tenant))
        {
            return await UsageErrorAsync(stderr, "--tenant is required");
        }

        if (verb is "disable" or "enable" or "delete" && string.IsNullOrEmpty(keyId))
        {
            return await UsageErrorAsync(stderr, "--id is required");
        }

        if (description is { Length: > AccessKeyStore.MaxDescriptionLength })
        {
            return await UsageErrorAsync(stderr, $"--description is {description.Length} characters long; at most {AccessKeyStore.MaxDescriptionLength}");
        }

        var gateway = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        await services.GetRequiredService<MetadataDatabase>().MigrateAsync(gateway.StartupWait);
        var tenants = services.GetRequiredService<TenantDirectory>();
        var keys = services.GetRequiredService<AccessKeyStore>();

        // Audited like the admin API's changes (and disable/enable/delete announced, so running gateways drop the key at once).
        var audit = services.GetRequiredService<AuditLog>();
        var actor = new AuditActor($"{CommandActorPrefix}{Environment.UserName}", null, null);
        var action = $"access-key.{verb}";
        if (verb == "create")
        {
            var owner = await tenants.EnsureAsync(tenant);
            var key = await keys.CreateAsync(owner.Id, description, null, (db, id) => audit.Add(db, actor, action, id, owner.Id, new { description }));
            await stdout.WriteLineAsync($"AWS_ACCESS_KEY_ID={key.AccessKeyId}");
            await stdout.WriteLineAsync($"AWS_SECRET_ACCESS_KEY={key.SecretAccessKey}");
            return 0;
        }

        // Only create makes a tenant: the other verbs must not leave one behind for a typo.
        var found = await tenants.FindByNameAsync(tenant);
        if (found is null)
        {
            await stderr.WriteLineAsync($"access-key {verb}: there is no tenant '{tenant}'");
            return ExitNotFound;
        }

        if (verb == "list")
        {
            await ListAsync(keys, found.Id, stdout);
            return 0;
        }

        var done = verb switch
        {
            "disable" => await keys.SetStatusAsync(found.Id, keyId!, AccessKeyStatus.Inactive, db => audit.Add(db, actor, action, keyId!, found.Id)) is not null,
            "enable" => await keys.SetStatusAsync(found.Id, keyId!, AccessKeyStatus.Active, db => audit.Add(db, actor, action, keyId!, found.Id)) is not null,
            _ => await keys.DeleteAsync(found.Id, keyId!, db => audit.Add(db, actor, action, keyId!, found.Id)),
        };
        if (!done)
        {
            await stderr.WriteLineAsync($"access-key {verb}: tenant '{tenant}' has no access key '{keyId}'");
            return ExitNotFound;
        }

        await stdout.WriteLineAsync($"{verb}d {keyId}");
        return 0;
    }

    /// <summary>One tab-separated line per key, newest first, under a header; never a secret.</summary>
    private static async Task ListAsync(AccessKeyStore keys, Guid tenantId, TextWriter stdout)
    {
        await stdout.WriteLineAsync("ACCESS_KEY_ID\tSTATUS\tCREATED\tLAST_USED\tDESCRIPTION");
        foreach (var key in await keys.ListAsync(tenantId))
        {
            var lastUsed = key.LastUsedAt?.ToString("O", CultureInfo.InvariantCulture) ?? "-";
            // A description is free text: keep each key on one line.
            var description = key.Description.ReplaceLineEndings(" ").Replace('\t', ' ');
            await stdout.WriteLineAsync(string.Join('\t',
                key.AccessKeyId, key.Status, key.CreatedAt.ToString("O", CultureInfo.InvariantCulture), lastUsed, description));
        }
    }

    private static async Task<int> UsageErrorAsync(TextWriter stderr, string problem)
    {
        await stderr.WriteLineAsync($"access-key: {problem}");
        await stderr.WriteLineAsync(Usage);
        return ExitUsage;
    }
}
