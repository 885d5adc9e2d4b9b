using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Sluice.Client.Internal;

/// <summary>
/// Adds <c>authorization: Bearer …</c> and a default deadline to every call. An interceptor
/// rather than <see cref="CallCredentials"/> because the gateway is usually reached over h2c,
/// and gRPC refuses call credentials on a channel without TLS.
/// </summary>
internal sealed class SluiceCallInterceptor : Interceptor
{
    private const string AuthorizationHeader = "authorization";

    private readonly string? _authorization;
    private readonly TimeSpan _requestTimeout;

    public SluiceCallInterceptor(string? token, TimeSpan requestTimeout)
    {
        _authorization = string.IsNullOrEmpty(token) ? null : "Bearer " + token;
        _requestTimeout = requestTimeout;
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
        => continuation(request, Decorate(context));

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        => continuation(request, Decorate(context));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
        => continuation(request, Decorate(context, streaming: true));

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
        => continuation(Decorate(context, streaming: true));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
        => continuation(Decorate(context, streaming: true));

    // Streaming calls live as long as their caller wants, so they get no default deadline.
    private ClientInterceptorContext<TRequest, TResponse> Decorate<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, bool streaming = false)
        where TRequest : class
        where TResponse : class
    {
        var options = context.Options;
        var changed = false;

        if (_authorization is not null && options.Headers?.Get(AuthorizationHeader) is null)
        {
            var headers = new Metadata();
            if (options.Headers is not null)
            {
                foreach (var entry in options.Headers)
                {
                    headers.Add(entry);
                }
            }

            headers.Add(AuthorizationHeader, _authorization);
            options = options.WithHeaders(headers);
            changed = true;
        }

        if (!streaming && options.Deadline is null && _requestTimeout > TimeSpan.Zero && _requestTimeout != Timeout.InfiniteTimeSpan)
        {
            options = options.WithDeadline(DateTime.UtcNow + _requestTimeout);
            changed = true;
        }

        return changed ? new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options) : context;
    }
}
