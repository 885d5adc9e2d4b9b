using System.CommandLine;
using System.Globalization;

namespace Sluice.Cli.Commands.Schemas;

/// <summary>
/// <c>sluice schemas subjects|register|show|delete|config</c>: the tenant's schema registry, through its Confluent-compatible REST API
/// at <c>SLUICE_SCHEMA_REGISTRY</c> (default: <c>--http</c> / <c>SLUICE_HTTP</c> + <c>/schema-registry</c>), with the bearer token.
/// </summary>
internal static class SchemasCommand
{
    /// <summary>The registry's URL, as the dev cluster writes it into <c>.data/dev.env</c>.</summary>
    public const string RegistryVariable = "SLUICE_SCHEMA_REGISTRY";

    /// <summary>Where the gateway mounts the registry on its HTTP port.</summary>
    public const string RegistryPath = "schema-registry";

    public static Command Create(CliContext context, ConnectionOptions connection)
    {
        var command = new Command("schemas", $"The tenant's schema registry: subjects, their versions and compatibility [env: {RegistryVariable}].");
        command.Subcommands.Add(SubjectsCommand(context, connection));
        command.Subcommands.Add(RegisterCommand(context, connection));
        command.Subcommands.Add(ShowCommand(context, connection));
        command.Subcommands.Add(DeleteCommand(context, connection));
        command.Subcommands.Add(ConfigCommand(context, connection));
        return command;
    }

    private static Command SubjectsCommand(CliContext context, ConnectionOptions connection)
    {
        var deleted = new Option<bool>("--deleted") { Description = "Include soft-deleted subjects" };
        var prefix = new Option<string?>("--prefix") { Description = "Only subjects starting with this" };
        var command = new Command("subjects", "List the subjects, one per line.") { deleted, prefix };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run);
            foreach (var subject in await client.SubjectsAsync(parseResult.GetValue(deleted), parseResult.GetValue(prefix), ct))
            {
                await context.Stdout.WriteLineAsync(subject);
            }

            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static Command RegisterCommand(CliContext context, ConnectionOptions connection)
    {
        var subject = new Argument<string>("subject") { Description = "The subject (e.g. orders-value)" };
        var type = new Option<string>("--type") { Description = "The schema's format", DefaultValueFactory = _ => "AVRO" };
        type.AcceptOnlyFromAmong("AVRO", "JSON", "PROTOBUF");
        var file = new Option<FileInfo>("--file") { Description = "The schema text's file ('-' for stdin)", Required = true };
        var command = new Command("register", "Register a schema under a subject; prints its id and version.") { subject, type, file };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            var path = parseResult.GetRequiredValue(file);
            string text;
            try
            {
                text = path.ToString() == "-" ? await context.Stdin.ReadToEndAsync(ct) : await File.ReadAllTextAsync(path.FullName, ct);
            }
            catch (IOException e)
            {
                throw new CliException($"cannot read {path}: {e.Message}", e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new CliException($"cannot read {path}: {e.Message}", e);
            }

            using var client = Connect(parseResult, context, connection, run);
            var registered = await client.RegisterAsync(parseResult.GetRequiredValue(subject), parseResult.GetRequiredValue(type), text, ct);
            await context.Stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"id {registered.Id} version {registered.Version} subject {registered.Subject}"));
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static Command ShowCommand(CliContext context, ConnectionOptions connection)
    {
        var subject = new Argument<string>("subject") { Description = "The subject" };
        var version = new Option<int?>("--version") { Description = "The version (default: the latest)" };
        var command = new Command("show", "Print a version of a subject: a header line (subject, version, id, type, all versions), then the schema.") { subject, version };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run);
            var name = parseResult.GetRequiredValue(subject);
            var shown = await client.ShowAsync(name, parseResult.GetValue(version), ct);
            var versions = await client.VersionsAsync(name, ct);
            await context.Stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"subject {shown.Subject} version {shown.Version} id {shown.Id} type {shown.SchemaType ?? "AVRO"} versions {string.Join(',', versions)}"));
            await context.Stdout.WriteLineAsync(shown.Schema);
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static Command DeleteCommand(CliContext context, ConnectionOptions connection)
    {
        var subject = new Argument<string>("subject") { Description = "The subject" };
        var version = new Option<int?>("--version") { Description = "Only this version (default: the whole subject)" };
        var permanent = new Option<bool>("--permanent") { Description = "Hard delete, after a soft delete: the versions and unused schemas are gone for good" };
        var command = new Command("delete", "Soft-delete a subject or one version (or hard-delete it with --permanent); prints the versions deleted.")
        {
            subject, version, permanent,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run);
            var deleted = await client.DeleteAsync(parseResult.GetRequiredValue(subject), parseResult.GetValue(version), parseResult.GetValue(permanent), ct);
            await context.Stdout.WriteLineAsync(string.Join(' ', deleted.Select(v => v.ToString(CultureInfo.InvariantCulture))));
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static Command ConfigCommand(CliContext context, ConnectionOptions connection)
    {
        var subject = new Argument<string?>("subject") { Description = "The subject (default: the tenant-wide setting)", Arity = ArgumentArity.ZeroOrOne };
        var compatibility = new Option<string?>("--compatibility")
        {
            Description = "Set the level: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL or FULL_TRANSITIVE",
        };
        var command = new Command("config", "Print (or with --compatibility set) the compatibility level of a subject or of the tenant.") { subject, compatibility };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run);
            var name = parseResult.GetValue(subject);
            if (parseResult.GetValue(compatibility) is { } level)
            {
                await client.SetCompatibilityAsync(name, level.ToUpperInvariant(), ct);
            }

            await context.Stdout.WriteLineAsync(await client.GetCompatibilityAsync(name, ct));
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static SchemaRegistryRestClient Connect(ParseResult parseResult, CliContext context, ConnectionOptions connection, CommandRun run)
    {
        var registry = ResolveRegistry(parseResult, context, connection);
        run.Endpoint = registry;
        return new SchemaRegistryRestClient(registry, connection.ResolveToken(parseResult, context));
    }

    /// <summary><c>SLUICE_SCHEMA_REGISTRY</c> when set (and no <c>--http</c> given), else the REST endpoint's <c>/schema-registry</c>.</summary>
    private static Uri ResolveRegistry(ParseResult parseResult, CliContext context, ConnectionOptions connection)
    {
        var variable = context.GetEnvironmentVariable(RegistryVariable);
        if (string.IsNullOrWhiteSpace(parseResult.GetValue(connection.Http)) && !string.IsNullOrWhiteSpace(variable))
        {
            return Uri.TryCreate(variable.Trim(), UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
                ? url
                : throw new CliException($"{RegistryVariable}: '{variable}' is not an http(s) URL");
        }

        var http = connection.ResolveHttp(parseResult, context);
        return new Uri(new Uri(http.AbsoluteUri.EndsWith('/') ? http.AbsoluteUri : http.AbsoluteUri + "/"), RegistryPath);
    }
}
