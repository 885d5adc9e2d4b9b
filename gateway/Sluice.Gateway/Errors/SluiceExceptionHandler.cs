using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Sluice.Core;

namespace Sluice.Gateway.Errors;

/// <summary>Writes application errors on the REST face as RFC 9457 problem+json.</summary>
internal sealed partial class SluiceExceptionHandler(IProblemDetailsService problems, ILogger<SluiceExceptionHandler> logger) : IExceptionHandler
{
    private const int RetryAfterSeconds = 1;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            SluiceException e => (StatusFor(e.Code), TitleFor(e.Code), e.Message),
            BadHttpRequestException e => (e.StatusCode, "Bad request", e.Message),
            _ => (StatusCodes.Status500InternalServerError, "Internal failure", "An unexpected error occurred; it has been logged."),
        };

        if (status >= StatusCodes.Status500InternalServerError && exception is not SluiceException)
        {
            LogUnhandled(logger, exception, httpContext.Request.Path);
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (exception is SluiceException { Code: SluiceErrorCode.Throttled } throttled)
        {
            httpContext.Response.Headers.RetryAfter = Quotas.QuotaLimiter.RetryAfterSeconds(throttled.RetryAfter);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    internal static int StatusFor(SluiceErrorCode code) => code switch
    {
        SluiceErrorCode.InvalidArgument => StatusCodes.Status400BadRequest,
        SluiceErrorCode.NotFound => StatusCodes.Status404NotFound,
        SluiceErrorCode.AlreadyExists => StatusCodes.Status409Conflict,
        SluiceErrorCode.PositionTrimmed => StatusCodes.Status410Gone,
        SluiceErrorCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        SluiceErrorCode.PermissionDenied => StatusCodes.Status403Forbidden,
        SluiceErrorCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        SluiceErrorCode.Throttled => StatusCodes.Status429TooManyRequests,
        SluiceErrorCode.ResourceInUse or SluiceErrorCode.StreamNotActive => StatusCodes.Status409Conflict,
        SluiceErrorCode.LimitExceeded or SluiceErrorCode.NotSupported => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static string TitleFor(SluiceErrorCode code) => code switch
    {
        SluiceErrorCode.InvalidArgument => "Invalid argument",
        SluiceErrorCode.NotFound => "Not found",
        SluiceErrorCode.AlreadyExists => "Already exists",
        SluiceErrorCode.PositionTrimmed => "Position trimmed",
        SluiceErrorCode.Unauthenticated => "Unauthenticated",
        SluiceErrorCode.PermissionDenied => "Forbidden",
        SluiceErrorCode.Unavailable => "Service unavailable",
        SluiceErrorCode.Throttled => "Too many requests",
        SluiceErrorCode.ResourceInUse => "Resource in use",
        SluiceErrorCode.StreamNotActive => "Stream not active",
        SluiceErrorCode.LimitExceeded => "Limit exceeded",
        SluiceErrorCode.NotSupported => "Not supported",
        _ => "Internal failure",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string path);
}
