using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Sluice.Cli.Commands.Admin;

/// <summary>
/// <c>sluice admin tenants|keys|audit</c>: the gateway's <c>/admin/v1</c> REST API (<c>--http</c>). Tenants need a token with
/// the platform-admin role (<c>Sluice.Gateway token --admin</c>); a tenant admin's token manages its own tenant's keys and
/// reads its audit log.
/// </summary>
internal static class AdminCommand
{
    private const int AuditPageSize = 100;

    public static Command Create(CliContext context, ConnectionOptions connection)
    {
        var command = new Command("admin", "Tenants, access keys and the audit log (uses the REST endpoint, --http).");
        command.Subcommands.Add(TenantsCommand(context, connection));
        command.Subcommands.Add(KeysCommand(context, connection));
        command.Subcommands.Add(AuditCommand(context, connection));
        return command;
    }

    private static Command TenantsCommand(CliContext context, ConnectionOptions connection)
    {
        var command = new Command("tenants", "Create, list, show, suspend, resume and delete tenants (platform admin).");

        var createName = NameArgument();
        var create = new Command("create", "Create a tenant; prints it as JSON.") { createName };
        create.SetAction((parseResult, cancellationToken) => RunAsync(context, connection, parseResult, async (admin, ct) =>
        {
            var tenant = await admin.CreateTenantAsync(parseResult.GetValue(createName)!, ct);
            await context.Stdout.WriteLineAsync(JsonSerializer.Serialize(tenant, AdminJsonContext.Default.AdminTenant));
        }, cancellationToken));
        command.Subcommands.Add(create);

        var list = new Command("list", "List every tenant, one line each.");
        list.SetAction((parseResult, cancellationToken) => RunAsync(context, connection, parseResult, async (admin, ct) =>
        {
            await context.Stdout.WriteLineAsync($"{"NAME",-40} {"STATUS",-10} {"ACCOUNT",-12}  CREATED");
            string? start = null;
            while (true)
            {
                var page = await admin.ListTenantsAsync(start, ct);
                foreach (var tenant in page.Tenants)
                {
                    await context.Stdout.WriteLineAsync($"{tenant.Name,-40} {tenant.Status,-10} {tenant.AccountId,-12}  {Time(tenant.CreatedAt)}");
                }

                if (!page.HasMore || page.Tenants.Count == 0)
                {
                    return;
                }

                start = page.Tenants[^1].Name;
            }
        }, cancellationToken));
        command.Subcommands.Add(list);

        var showName = NameArgument();
        var show = new Command("show", "Show a tenant with its stream, key and principal counts and quotas, as JSON.") { showName };
        show.SetAction((parseResult, cancellationToken) => RunAsync(context, connection, parseResult, async (admin, ct) =>
        {
            var tenant = await admin.ShowTenantAsync(parseResult.GetValue(showName)!, ct);
            await context.Stdout.WriteLineAsync(JsonSerializer.Serialize(tenant, AdminJsonContext.Default.AdminTenantDetails));
        }, cancellationToken));
        command.Subcommands.Add(show);

        foreach (var suspend in new[] { true, false })
        {
            var name = NameArgument();
            var verb = suspend ? "suspend" : "resume";
            var status = new Command(verb, suspend
                ? "Suspend a tenant: its tokens and access keys are refused on every face within about a second."
                : "Resume a suspended tenant.") { name };
            status.SetAction((parseResult, cancellationToken) => RunAsync(context, connection, parseResult, async (admin, ct) =>
            {
                var tenant = await admin.SetTenantStatusAsync(parseResult.GetValue(name)!, suspend, ct);
                await context.Stdout.WriteLineAsync($"{tenant.Name} {tenant.Status}");
            }, cancellationToken));
            command.Subcommands.Add(status);
        }

        var deleteName = NameArgument();
        var force = new Option<bool>("--force") { Description = "Also delete the tenant's streams (and their records) first" };
        var delete = new Command("delete", "Delete a tenant with its keys, principals and ACLs; refused while it has streams unless --force.") { deleteName, force };
        delete.SetAction((parseResult, cancellationToken) => RunAsync(context, connection, parseResult, async (admin, ct) =>
        {
            var name = parseResult.GetValue(deleteName)!;
            await admin.DeleteTenantAsync(name, parseResult.GetValue(force), ct);
            await context.Stdout.WriteLineAsync($"deleted {name}");
        }, cancellationToken));
        command.Subcommands.Add(delete);
        return command;
    }

    private static Command KeysCommand(CliContext context, ConnectionOptions connection)
    {
        var command = new Command("keys", "Create, list, rotate, disable, enable and delete a tenant's access keys (Kinesis API, SigV4).");

        var createTenant = TenantOption(required: true);
        var description = new Option<string?>("--description") { Description = "What the key is for" };
        var principal = new Option<string?>("--principal") { Description = "The service account (service:NAME) the key acts as; default: the tenant's admin", HelpName = "service:NAME" };
        var create = new Command("create", "Create a key; prints AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the only time the secret is shown).")
        {
            createTenant, description, principal,
        };
        create.SetAction((parseResult, cancellationToken) => RunAsync(context, connection, parseResult, async (admin, ct) =>
        {
            var key = await admin.CreateKeyAsync(parseResult.GetValue(createTenant)!, parseResult.GetValue(description), parseResult.GetValue(principal), ct);
            await WriteCredentialsAsync(context, key);
        }, cancellationToken));
        command.Subcommands.Add(create);

        var listTenant = TenantOption(required: true);
        var list = new Command("list", "List the tenant's keys, newest first; never a secret.") { listTenant };
        list.SetAction((parseResult, cancellationToken) => RunAsync(context, connection, parseResult, async (admin, ct) =>
        {
            var keys = await admin.ListKeysAsync(parseResult.GetValue(listTenant)!, ct);
            await context.Stdout.WriteLineAsync("ACCESS_KEY_ID\tSTATUS\tPRINCIPAL\tCREATED\tLAST_USED\tDESCRIPTION");
            foreach (var key in keys.AccessKeys)
            {
                // A description is free text: keep each key on one line.
                var text = key.Description.ReplaceLineEndings(" ").Replace('\t', ' ');
                await context.Stdout.WriteLineAsync(string.Join('\t',
                    key.AccessKeyId, key.Status, key.Principal ?? "-", Time(key.CreatedAt), key.LastUsedAt is { } used ? Time(used) : "-", text));
            }
        }, cancellationToken));
        command.Subcommands.Add(list);

        var rotateTenant = TenantOption(required: true);
        var rotateId = KeyArgument();
        var rotate = new Command("rotate", "Replace a key: a new key (printed as for create) for the same principal, and the old one disabled.") { rotateId, rotateTenant };
        rotate.SetAction((parseResult, cancellationToken) => RunAsync(context, connection, parseResult, async (admin, ct) =>
        {
            var key = await admin.RotateKeyAsync(parseResult.GetValue(rotateTenant)!, parseResult.GetValue(rotateId)!, ct);
            await WriteCredentialsAsync(context, key);
            await context.Stderr.WriteLineAsync($"replaces {key.Replaces}, now inactive");
        }, cancellationToken));
        command.Subcommands.Add(rotate);

        foreach (var enable in new[] { false, true })
        {
            var tenant = TenantOption(required: true);
            var id = KeyArgument();
            var verb = enable ? "enable" : "disable";
            var status = new Command(verb, enable ? "Accept requests signed with a disabled key again." : "Refuse requests signed with the key (within about a second).")
            {
                id, tenant,
            };
            status.SetAction((parseResult, cancellationToken) => RunAsync(context, connection, parseResult, async (admin, ct) =>
            {
                var key = await admin.SetKeyStatusAsync(parseResult.GetValue(tenant)!, parseResult.GetValue(id)!, enable, ct);
                await context.Stdout.WriteLineAsync($"{key.AccessKeyId} {key.Status}");
            }, cancellationToken));
            command.Subcommands.Add(status);
        }

        var deleteTenant = TenantOption(required: true);
        var deleteId = KeyArgument();
        var delete = new Command("delete", "Delete a key for good.") { deleteId, deleteTenant };
        delete.SetAction((parseResult, cancellationToken) => RunAsync(context, connection, parseResult, async (admin, ct) =>
        {
            var id = parseResult.GetValue(deleteId)!;
            await admin.DeleteKeyAsync(parseResult.GetValue(deleteTenant)!, id, ct);
            await context.Stdout.WriteLineAsync($"deleted {id}");
        }, cancellationToken));
        command.Subcommands.Add(delete);
        return command;
    }

    private static Command AuditCommand(CliContext context, ConnectionOptions connection)
    {
        var tenant = TenantOption(required: false);
        var limit = new Option<int>("--limit") { Description = "How many entries, newest first", DefaultValueFactory = _ => AuditPageSize, HelpName = "N" };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--limit must be at least 1.");
            }
        });
        var before = new Option<long?>("--before") { Description = "Only entries older than this entry id (paging)", HelpName = "ID" };
        var command = new Command("audit", "Read the audit log of admin changes, newest first: of every tenant (platform admin), or of one with --tenant.")
        {
            tenant, limit, before,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(context, connection, parseResult, async (admin, ct) =>
        {
            await context.Stdout.WriteLineAsync("ID\tAT\tACTOR\tACTION\tTARGET\tFROM");
            var remaining = parseResult.GetValue(limit);
            var next = parseResult.GetValue(before);
            while (remaining > 0)
            {
                var page = await admin.AuditAsync(parseResult.GetValue(tenant), next, Math.Min(remaining, AuditPageSize), ct);
                foreach (var entry in page.Entries)
                {
                    await context.Stdout.WriteLineAsync(string.Join('\t',
                        entry.Id.ToString(CultureInfo.InvariantCulture), Time(entry.At), entry.Actor, entry.Action, entry.Target, entry.RemoteAddress ?? "-"));
                }

                remaining -= page.Entries.Count;
                if (page.NextBefore is null)
                {
                    return;
                }

                next = page.NextBefore;
            }
        }, cancellationToken));
        return command;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The tenant's name" };

    private static Argument<string> KeyArgument() => new("id") { Description = "The access key id" };

    private static Option<string?> TenantOption(bool required) => new("--tenant") { Description = "The tenant's name", Required = required, HelpName = "NAME" };

    private static async Task WriteCredentialsAsync(CliContext context, AdminCreatedAccessKey key)
    {
        // Two NAME=value lines a shell can source, as the gateway's `access-key create` prints them.
        await context.Stdout.WriteLineAsync($"AWS_ACCESS_KEY_ID={key.AccessKeyId}");
        await context.Stdout.WriteLineAsync($"AWS_SECRET_ACCESS_KEY={key.SecretAccessKey}");
    }

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static Task<int> RunAsync(
        CliContext context, ConnectionOptions connection, ParseResult parseResult, Func<AdminApiClient, CancellationToken, Task> body, CancellationToken cancellationToken) =>
        CommandRunner.RunAsync(context, async (run, ct) =>
        {
            var endpoint = connection.ResolveHttp(parseResult, context);
            run.Endpoint = endpoint;
            using var admin = new AdminApiClient(endpoint, connection.ResolveToken(parseResult, context));
            await body(admin, ct);
            return CommandRunner.ExitOk;
        }, cancellationToken);
}
