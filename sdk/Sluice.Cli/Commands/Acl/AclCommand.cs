using System.CommandLine;
using System.Globalization;

namespace Sluice.Cli.Commands.Acl;

/// <summary>
/// <c>sluice acl list|add|remove --tenant NAME</c>: a tenant's ACL entries through the gateway's admin REST API (<c>--http</c>), with a
/// platform admin token or a tenant admin token of that tenant.
/// </summary>
internal static class AclCommand
{
    public static Command Create(CliContext context, ConnectionOptions connection)
    {
        var command = new Command("acl", "A tenant's ACL entries: who may produce, consume or manage which streams (needs an admin token; uses --http).");
        command.Subcommands.Add(ListCommand(context, connection));
        command.Subcommands.Add(AddCommand(context, connection));
        command.Subcommands.Add(RemoveCommand(context, connection));
        return command;
    }

    private static Option<string> TenantOption() => new("--tenant") { Description = "The tenant's name", Required = true };

    private static Command ListCommand(CliContext context, ConnectionOptions connection)
    {
        var tenant = TenantOption();
        var principal = new Option<string?>("--principal") { Description = "Only entries naming this principal (user:…, service:… or *)" };
        var stream = new Option<string?>("--stream") { Description = "Only entries whose pattern matches this stream" };
        var command = new Command("list", "List the tenant's ACL entries, one per line.") { tenant, principal, stream };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run, parseResult.GetRequiredValue(tenant));
            var list = await client.ListAsync(parseResult.GetValue(principal), parseResult.GetValue(stream), ct);
            await context.Stdout.WriteLineAsync($"{"ID",-36}  {"EFFECT",-6}  {"OPERATION",-9}  {"STREAMS",-24}  PRINCIPAL");
            foreach (var entry in list.Entries)
            {
                await context.Stdout.WriteLineAsync(
                    string.Create(CultureInfo.InvariantCulture, $"{entry.Id,-36}  {entry.Effect,-6}  {entry.Operation,-9}  {entry.StreamPattern,-24}  {entry.Principal}"));
            }

            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static Command AddCommand(CliContext context, ConnectionOptions connection)
    {
        var tenant = TenantOption();
        var principal = new Option<string>("--principal") { Description = "user:<subject>, service:<name> or * (every principal)", Required = true };
        var deny = new Option<bool>("--deny") { Description = "Refuse rather than allow (a matching deny always wins)" };
        var operation = new Option<string>("--operation") { Description = "produce, consume or manage", Required = true };
        operation.AcceptOnlyFromAmong("produce", "consume", "manage");
        var stream = new Option<string>("--stream") { Description = "A stream name, a prefix ending in * (orders-*), or *", Required = true };
        var command = new Command("add", "Add an entry allowing (or with --deny refusing) an operation on streams to a principal; prints its id.")
        {
            tenant, principal, deny, operation, stream,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run, parseResult.GetRequiredValue(tenant));
            var entry = await client.AddAsync(new AddAcl(
                parseResult.GetRequiredValue(principal),
                parseResult.GetValue(deny) ? "deny" : "allow",
                parseResult.GetRequiredValue(operation),
                parseResult.GetRequiredValue(stream)), ct);
            await context.Stdout.WriteLineAsync(entry.Id.ToString());
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static Command RemoveCommand(CliContext context, ConnectionOptions connection)
    {
        var tenant = TenantOption();
        var id = new Option<Guid>("--id") { Description = "The entry's id (from list or add)", Required = true };
        var command = new Command("remove", "Remove an entry.") { tenant, id };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run, parseResult.GetRequiredValue(tenant));
            await client.RemoveAsync(parseResult.GetValue(id), ct);
            await context.Stderr.WriteLineAsync($"removed {parseResult.GetValue(id)}");
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static AclRestClient Connect(ParseResult parseResult, CliContext context, ConnectionOptions connection, CommandRun run, string tenant)
    {
        var endpoint = connection.ResolveHttp(parseResult, context);
        run.Endpoint = endpoint;
        return new AclRestClient(endpoint, connection.ResolveToken(parseResult, context), tenant);
    }
}
