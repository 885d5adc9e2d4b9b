using Grpc.Core;
using Grpc.Core.Interceptors;
using Sluice.Core;

namespace Sluice.Gateway.Errors;

/// <summary>Turns application errors into gRPC statuses on the gRPC face.</summary>
internal sealed partial class GrpcErrorInterceptor(ILogger<GrpcErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (SluiceException ex) when (ex.Code == SluiceErrorCode.Throttled)
        {
            // When to retry, in whole seconds as REST's Retry-After and in milliseconds.
            var retryAfter = ex.RetryAfter ?? TimeSpan.FromSeconds(1);
            throw new RpcException(new Status(StatusCode.ResourceExhausted, ex.Message), new Grpc.Core.Metadata
            {
                { "retry-after", Quotas.QuotaLimiter.RetryAfterSeconds(retryAfter) },
                { "retry-after-ms", ((long)Math.Ceiling(retryAfter.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) },
            });
        }
        catch (SluiceException ex)
        {
            throw new RpcException(new Status(StatusFor(ex.Code), ex.Message));
        }
        catch (Exception ex) when (ex is not RpcException and not OperationCanceledException)
        {
            LogUnhandled(logger, ex, context.Method);
            throw new RpcException(new Status(StatusCode.Internal, "An unexpected error occurred; it has been logged."));
        }
    }

    internal static StatusCode StatusFor(SluiceErrorCode code) => code switch
    {
        SluiceErrorCode.InvalidArgument => StatusCode.InvalidArgument,
        SluiceErrorCode.NotFound => StatusCode.NotFound,
        SluiceErrorCode.AlreadyExists => StatusCode.AlreadyExists,
        SluiceErrorCode.PositionTrimmed => StatusCode.OutOfRange,
        SluiceErrorCode.Unauthenticated => StatusCode.Unauthenticated,
        SluiceErrorCode.PermissionDenied => StatusCode.PermissionDenied,
        SluiceErrorCode.Unavailable => StatusCode.Unavailable,
        SluiceErrorCode.ResourceInUse or SluiceErrorCode.StreamNotActive or SluiceErrorCode.NotSupported => StatusCode.FailedPrecondition,
        SluiceErrorCode.LimitExceeded or SluiceErrorCode.Throttled => StatusCode.ResourceExhausted,
        _ => StatusCode.Internal,
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error in {Method}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method);
}
