using System.Net;

namespace Sluice.Cli.Commands.Bench;

/// <summary>An error answer of the REST API, with what its problem details say.</summary>
internal sealed class RestApiException : Exception
{
    public RestApiException(HttpStatusCode status, string message)
        : base(message)
    {
        Status = status;
    }

    public RestApiException()
    {
    }

    public RestApiException(string message)
        : base(message)
    {
    }

    public RestApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HttpStatusCode Status { get; }

    /// <summary>Like gRPC's retriable statuses: throttled, unavailable, timed out.</summary>
    public bool IsRetriable => Status is HttpStatusCode.TooManyRequests
        or HttpStatusCode.ServiceUnavailable
        or HttpStatusCode.BadGateway
        or HttpStatusCode.GatewayTimeout;
}
