using System.Collections.Concurrent;
using Grpc.Net.Client;
using Sluice.Core;
using Sluice.Metadata;
using StorageNodeClient = Sluice.Storage.V1.StorageNode.StorageNodeClient;

namespace Sluice.StorageNode.Internal;

/// <summary>
/// gRPC clients to the other storage nodes (the leaders this node follows): one long-lived HTTP/2 channel per
/// address (TLS for an <c>https://</c> one, checked against <see cref="InternalTlsOptions"/>), and node addresses from the registry, re-read when a node is not known or a second has passed.
/// </summary>
internal sealed class PeerClients(NodeRegistry registry, InternalTlsOptions tls, TimeProvider timeProvider) : IDisposable
{
    private readonly System.Net.Security.SslClientAuthenticationOptions? _ssl = tls.CreateClientSslOptions();

    private const int MaxMessageBytes = 32 * 1024 * 1024;
    private static readonly TimeSpan AddressTtl = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (GrpcChannel Channel, StorageNodeClient Client)> _clients = new(StringComparer.Ordinal);
    private volatile Directory? _directory;

    /// <summary>The client of a node, or null when the registry does not know it.</summary>
    public async ValueTask<StorageNodeClient?> GetAsync(string nodeId, CancellationToken cancellationToken)
    {
        var directory = _directory;
        var now = timeProvider.GetUtcNow();
        if (directory is null || now - directory.FetchedAt > AddressTtl || !directory.Addresses.ContainsKey(nodeId))
        {
            try
            {
                var nodes = await registry.ListAsync(cancellationToken);
                directory = new Directory(nodes.ToDictionary(n => n.Id, n => n.Address, StringComparer.Ordinal), now);
                _directory = directory;
            }
            catch (Exception ex) when (directory is not null && MetadataDatabase.IsTransient(ex))
            {
                // PostgreSQL away: the addresses last read stay the best knowledge (a node registers its address
                // there, so none can move meanwhile), and replication goes on; asked again after another TTL.
                directory = directory with { FetchedAt = now };
                _directory = directory;
            }
        }

        return directory.Addresses.TryGetValue(nodeId, out var address) ? Get(address) : null;
    }

    /// <summary>The current node epoch of every registered node, as last read.</summary>
    public async ValueTask<IReadOnlyDictionary<string, long>> NodeEpochsAsync(CancellationToken cancellationToken)
    {
        var nodes = await registry.ListAsync(cancellationToken);
        _directory = new Directory(nodes.ToDictionary(n => n.Id, n => n.Address, StringComparer.Ordinal), timeProvider.GetUtcNow());
        return nodes.ToDictionary(n => n.Id, n => n.NodeEpoch, StringComparer.Ordinal);
    }

    private StorageNodeClient Get(string address) => _clients.GetOrAdd(address, static (a, ssl) =>
    {
        var channel = GrpcChannel.ForAddress(a, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                ConnectTimeout = TimeSpan.FromSeconds(2),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                KeepAlivePingDelay = TimeSpan.FromSeconds(5),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
                SslOptions = ssl ?? new System.Net.Security.SslClientAuthenticationOptions(),
            },
            InitialReconnectBackoff = TimeSpan.FromMilliseconds(100),
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

    private sealed record Directory(Dictionary<string, string> Addresses, DateTimeOffset FetchedAt);
}
