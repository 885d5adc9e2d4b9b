using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Sluice.Client.Internal;
using Sluice.V1;

namespace Sluice.Client;

/// <summary>
/// A connection to a Sluice gateway over gRPC: the generated <see cref="Streams"/> and
/// <see cref="Records"/> clients, plus typed helpers for the common calls.
/// </summary>
/// <remarks>
/// <para>
/// One instance is meant to be shared by the whole process: it owns an HTTP/2 connection pool
/// that opens more connections when the streams of one are all in use, and it is safe to use from
/// many threads at once. Dispose it to close the connections.
/// </para>
/// <para>
/// Failures surface as <see cref="RpcException"/> with the gateway's status (NOT_FOUND,
/// ALREADY_EXISTS, INVALID_ARGUMENT, UNAUTHENTICATED, UNAVAILABLE, OUT_OF_RANGE, …);
/// <see cref="IsRetriable(RpcException)"/> tells which are worth trying again. Cancelling a
/// call's <see cref="CancellationToken"/> ends it with an <see cref="OperationCanceledException"/>
/// rather than a CANCELLED <see cref="RpcException"/>.
/// </para>
/// </remarks>
public sealed partial class SluiceClient : IDisposable
{
    // A GetRecords response may carry up to 10,000 records; the default 4 MiB limit is too small.
    private const int MaxReceiveMessageBytes = 64 * 1024 * 1024;
    private static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan KeepAlivePingDelay = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan KeepAlivePingTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly GrpcChannel _channel;

    /// <summary>Creates a client with <see cref="SluiceClientOptions.Default"/>.</summary>
    public SluiceClient()
        : this(SluiceClientOptions.Default)
    {
    }

    /// <summary>Creates a client. No connection is opened until the first call.</summary>
    /// <param name="options">Where to connect and how to authenticate.</param>
    public SluiceClient(SluiceClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;

        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = PooledConnectionIdleTimeout,
            KeepAlivePingDelay = KeepAlivePingDelay,
            KeepAlivePingTimeout = KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            ConnectTimeout = ConnectTimeout,
        };
        if (options.CaCertificatePath is { } caPath)
        {
            handler.SslOptions = TrustedRoots.ClientOptions(caPath);
        }

        _channel = GrpcChannel.ForAddress(options.Endpoint, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = MaxReceiveMessageBytes,
            ThrowOperationCanceledOnCancellation = true,
        });

        var invoker = _channel.Intercept(new SluiceCallInterceptor(options.Token, options.RequestTimeout));
        Streams = new Streams.StreamsClient(invoker);
        Records = new Records.RecordsClient(invoker);
    }

    /// <summary>The options this client was created with.</summary>
    public SluiceClientOptions Options { get; }

    /// <summary>
    /// The generated client of the <c>sluice.v1.Streams</c> service. Calls made through it carry
    /// the bearer token and the default deadline too.
    /// </summary>
    public Streams.StreamsClient Streams { get; }

    /// <summary>
    /// The generated client of the <c>sluice.v1.Records</c> service. Calls made through it carry
    /// the bearer token and the default deadline too.
    /// </summary>
    public Records.RecordsClient Records { get; }

    /// <summary>
    /// Whether a failed call is worth trying again after a pause: UNAVAILABLE (a node or the
    /// gateway is down or unreachable), RESOURCE_EXHAUSTED (throttled), DEADLINE_EXCEEDED and
    /// ABORTED. Every other status means the request itself must change.
    /// </summary>
    /// <param name="exception">The failure.</param>
    /// <returns><see langword="true"/> when the same request may succeed later.</returns>
    public static bool IsRetriable(RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.StatusCode is StatusCode.Unavailable
            or StatusCode.ResourceExhausted
            or StatusCode.DeadlineExceeded
            or StatusCode.Aborted;
    }

    /// <summary>
    /// Whether a record that <c>PutRecords</c> refused is worth sending again:
    /// <c>ServiceUnavailable</c>, <c>InternalFailure</c> and <c>Throttled</c> are; an
    /// <c>InvalidArgument</c> record never is. A written record (no error code) is not.
    /// </summary>
    /// <param name="result">The record's result.</param>
    /// <returns><see langword="true"/> when the record failed and may succeed later.</returns>
    public static bool IsRetriable(PutRecordsResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.ErrorCode is "ServiceUnavailable" or "InternalFailure" or "Throttled";
    }

    /// <summary>Closes the connections. Calls in flight are cancelled.</summary>
    public void Dispose() => _channel.Dispose();
}
