using System.Collections.Concurrent;
using Grpc.Net.Client;
using Sluice.Core;
using StorageNodeClient = Sluice.Storage.V1.StorageNode.StorageNodeClient;

namespace Sluice.Gateway.Routing;

/// <summary>
/// One long-lived gRPC channel per storage-node address (HTTP/2, multiplexed): h2c for <c>http://</c> addresses, TLS
/// for <c>https://</c> ones, checked against <see cref="InternalTlsOptions"/>.
/// </summary>
public sealed class StorageClients(InternalTlsOptions tls) : IDisposable
{
    private const int MaxMessageBytes = 16 * 1024 * 1024;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, (GrpcChannel Channel, StorageNodeClient Client)> _clients = new(StringComparer.Ordinal);

    private readonly System.Net.Security.SslClientAuthenticationOptions? _ssl = tls.CreateClientSslOptions();

    public StorageNodeClient Get(string address) => _clients.GetOrAdd(address, static (a, ssl) =>
    {
        var channel = GrpcChannel.ForAddress(a, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                ConnectTimeout = ConnectTimeout,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                SslOptions = ssl ?? new System.Net.Security.SslClientAuthenticationOptions(),
            },
            // Storage nodes are on the internal network: retry a restarted node quickly rather than
            // backing off for minutes as the default would.
            InitialReconnectBackoff = TimeSpan.FromMilliseconds(200),
            MaxReconnectBackoff = TimeSpan.FromSeconds(1),
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
        });
        return (channel, new StorageNodeClient(channel));
    }, _ssl).Client;

    public void Dispose()
    {
        foreach (var (channel, _) in _clients.Values)
        {
            channel.Dispose();
        }

        _clients.Clear();
    }
}
