using System.CommandLine;
using Sluice.Client;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>--endpoint</c>, <c>--token</c> and <c>--http</c>, available on every command, each
/// overriding its environment variable.
/// </summary>
internal sealed class ConnectionOptions
{
    public const string HttpVariable = "SLUICE_HTTP";
    public static readonly Uri DefaultHttpEndpoint = new("http://127.0.0.1:8080");

    public Option<string?> Endpoint { get; } = new("--endpoint")
    {
        Description = $"The gateway's gRPC endpoint [env: {SluiceClientOptions.EndpointVariable}, default: {SluiceClientOptions.Default.Endpoint}]",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = $"The bearer token (JWT) [env: {SluiceClientOptions.TokenVariable}]",
        Recursive = true,
    };

    public Option<string?> Http { get; } = new("--http")
    {
        Description = $"The gateway's REST endpoint, for bench --api rest and cluster [env: {HttpVariable}, default: {DefaultHttpEndpoint}]",
        HelpName = "url",
        Recursive = true,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Endpoint);
        command.Options.Add(Token);
        command.Options.Add(Http);
    }

    /// <summary>The gRPC client options, with the token required.</summary>
    public SluiceClientOptions ResolveGrpc(ParseResult parseResult, CliContext context)
    {
        SluiceClientOptions options;
        try
        {
            options = SluiceClientOptions.FromEnvironment(context.GetEnvironmentVariable);
        }
        catch (FormatException e)
        {
            throw new CliException($"{SluiceClientOptions.EndpointVariable}: {e.Message}", e);
        }

        var endpoint = parseResult.GetValue(Endpoint);
        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            options = options with { Endpoint = ParseEndpoint("--endpoint", endpoint) };
        }

        return options with { Token = ResolveToken(parseResult, context) };
    }

    /// <summary>The REST endpoint.</summary>
    public Uri ResolveHttp(ParseResult parseResult, CliContext context)
    {
        var option = parseResult.GetValue(Http);
        if (!string.IsNullOrWhiteSpace(option))
        {
            return ParseEndpoint("--http", option);
        }

        var variable = context.GetEnvironmentVariable(HttpVariable);
        return string.IsNullOrWhiteSpace(variable) ? DefaultHttpEndpoint : ParseEndpoint(HttpVariable, variable);
    }

    public string ResolveToken(ParseResult parseResult, CliContext context)
    {
        var token = parseResult.GetValue(Token);
        if (string.IsNullOrWhiteSpace(token))
        {
            token = context.GetEnvironmentVariable(SluiceClientOptions.TokenVariable);
        }

        if (string.IsNullOrWhiteSpace(token))
        {
            throw new CliException($"no token: set {SluiceClientOptions.TokenVariable} or pass --token");
        }

        return token.Trim();
    }

    private static Uri ParseEndpoint(string source, string value)
    {
        try
        {
            return SluiceClientOptions.ParseEndpoint(value);
        }
        catch (FormatException e)
        {
            throw new CliException($"{source}: {e.Message}", e);
        }
    }
}
