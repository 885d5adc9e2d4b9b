using System.Net.Sockets;
using Grpc.Core;
using Sluice.Cli.Commands.Bench;

namespace Sluice.Cli.Commands;

/// <summary>
/// Runs a command's body and turns whatever it throws into one line on stderr and an exit code:
/// 1 for failures, 130 when the user interrupted it.
/// </summary>
internal static class CommandRunner
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitInterrupted = 130;

    public static async Task<int> RunAsync(
        CliContext context, Func<CommandRun, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var run = new CommandRun();
        try
        {
            return await body(run, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            context.Error("interrupted");
            return ExitInterrupted;
        }
        catch (Exception e)
        {
            context.Error(Describe(e, run.Endpoint));
            return ExitFailure;
        }
    }

    /// <summary>One line that says what went wrong, without a stack trace.</summary>
    public static string Describe(Exception exception, Uri? endpoint) => exception switch
    {
        CliException e => e.Message,
        RpcException e => DescribeRpc(e, endpoint),
        RestApiException e => e.Message,
        HttpRequestException e when e.StatusCode is null => $"cannot reach {endpoint?.ToString() ?? "the gateway"}: {Innermost(e)}",
        HttpRequestException e => e.Message,
        TaskCanceledException e when e.InnerException is TimeoutException => $"{endpoint?.ToString() ?? "the gateway"} did not answer in time",
        _ => $"unexpected error: {exception.GetType().Name}: {exception.Message}",
    };

    private static string DescribeRpc(RpcException e, Uri? endpoint)
    {
        var where = endpoint?.ToString() ?? "the gateway";
        var detail = string.IsNullOrWhiteSpace(e.Status.Detail) ? null : e.Status.Detail;
        return e.StatusCode switch
        {
            // A failure on this side of the wire (refused, no route, TLS) comes with the exception
            // that caused it; an UNAVAILABLE from the gateway itself does not.
            StatusCode.Unavailable when e.Status.DebugException is not null =>
                $"cannot reach {where}: {Innermost(e.Status.DebugException)}",
            StatusCode.Unavailable => $"service unavailable: {detail ?? "try again later"} (UNAVAILABLE)",
            StatusCode.Unauthenticated => $"not authenticated: {detail ?? "the token was refused"} (UNAUTHENTICATED); check SLUICE_TOKEN or --token",
            StatusCode.PermissionDenied => $"permission denied: {detail ?? "the token may not do this"} (PERMISSION_DENIED)",
            StatusCode.DeadlineExceeded => $"{where} did not answer in time (DEADLINE_EXCEEDED)",
            StatusCode.Internal when e.Status.DebugException is not null =>
                $"cannot talk to {where}: {Innermost(e.Status.DebugException)}",
            _ => $"{detail ?? "request failed"} ({StatusName(e.StatusCode)})",
        };
    }

    private static string Innermost(Exception exception)
    {
        var inner = exception;
        while (inner.InnerException is not null && inner is not SocketException)
        {
            inner = inner.InnerException;
        }

        return inner.Message;
    }

    // NotFound → NOT_FOUND, as gRPC spells status codes everywhere else.
    private static string StatusName(StatusCode code)
    {
        var name = code.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(name[i]));
        }

        return builder.ToString();
    }
}
