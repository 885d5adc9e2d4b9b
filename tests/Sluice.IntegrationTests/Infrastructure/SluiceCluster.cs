using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using Sluice.Client;
using Sluice.Metadata;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// A whole Sluice cluster of real processes on loopback: its own database on the test PostgreSQL
/// server, <c>nodeCount</c> storage nodes and one gateway, each on free ports, with a JWT signing
/// key and a secrets master key of its own.
/// </summary>
public partial class SluiceCluster : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly int _nodeCount;
    private readonly bool _proxyMetadata;
    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(48);
    private readonly List<HostProcess> _nodes = [];
    private readonly Lock _accessKeysLock = new();
    private readonly TimeSpan _nodeLease;
    private readonly TimeSpan? _lifecycleWaitTimeout;
    private ServiceProvider? _accessKeys;
    private string _dataRoot = "";
    private string _hostsConnectionString = "";
    private string _tlsKeyPath = "";
    private readonly IReadOnlyDictionary<string, string>? _gatewaySettings;
    private readonly bool _controllers;
    private readonly IReadOnlyDictionary<string, string>? _nodeSettings;
    private readonly bool _tls;
    private readonly IReadOnlyDictionary<string, string>? _quotas;
    private readonly string? _redis;

    /// <param name="nodeCount">Storage nodes to run.</param>
    /// <param name="proxyMetadata">Reach PostgreSQL through a <see cref="TcpProxy"/> a test can cut.</param>
    /// <param name="iteratorLifetime">
    /// The gateway's <c>Sluice:Kinesis:IteratorLifetime</c> (its default when null): short, so a
    /// test can wait for a Kinesis shard iterator to expire.
    /// </param>
    /// <param name="nodeLease">
    /// The gateway's <c>Sluice:Gateway:NodeLease</c> (6 s when null): how long a storage node that
    /// stopped still counts as live when shards are placed.
    /// </param>
    /// <param name="lifecycleWaitTimeout">The gateway's <c>Sluice:Lifecycle:WaitTimeout</c> (its default when null).</param>
    /// <param name="gatewaySettings">More environment of the gateway (configuration keys with <c>__</c>).</param>
    /// <param name="controllers">Run the storage nodes' embedded controllers (each named after its node; one is active).</param>
    /// <param name="nodeSettings">More environment of every storage node (configuration keys with <c>__</c>).</param>
    /// <param name="tls">
    /// TLS everywhere: every gateway listener (so <see cref="HttpEndpoint"/> and <see cref="GrpcEndpoint"/> are https)
    /// and the storage nodes' gRPC listeners, all with the cluster's self-signed certificate, which every internal
    /// client trusts as its only root.
    /// </param>
    /// <param name="quotas">
    /// The gateway's <c>Sluice:Quotas</c> settings (keys without the section, e.g. <c>ShardIngressRecordsPerSecond</c>) over
    /// <see cref="UnlimitedQuotas"/>: by default every limit is far above anything a test writes, so only quota tests, which
    /// set low ones, are throttled. Quotas are off when there is no test Redis (SLUICE_TEST_REDIS).
    /// </param>
    /// <param name="redis">The Redis (host:port) of the quotas instead of the test one (SLUICE_TEST_REDIS).</param>
    protected SluiceCluster(int nodeCount, bool proxyMetadata = false, TimeSpan? iteratorLifetime = null, TimeSpan? nodeLease = null, TimeSpan? lifecycleWaitTimeout = null, IReadOnlyDictionary<string, string>? gatewaySettings = null, bool controllers = true, IReadOnlyDictionary<string, string>? nodeSettings = null, bool tls = false, IReadOnlyDictionary<string, string>? quotas = null, string? redis = null)
    {
        _tls = tls;
        _quotas = quotas;
        _redis = redis;
        _controllers = controllers;
        _nodeSettings = nodeSettings;
        _nodeCount = nodeCount;
        _proxyMetadata = proxyMetadata;
        IteratorLifetime = iteratorLifetime;
        _nodeLease = nodeLease ?? TimeSpan.FromSeconds(6);
        _lifecycleWaitTimeout = lifecycleWaitTimeout;
        _gatewaySettings = gatewaySettings;
    }

    /// <summary>Subject of the self-signed certificate every cluster makes for its TLS listeners.</summary>
    internal const string TestCertificateSubject = "CN=Sluice test gateway";

    public string DatabaseName { get; } = $"sluice_it_{Guid.NewGuid():N}";

    /// <summary>
    /// The quota limits of a test cluster unless it sets its own: far above anything a test writes (the buckets are still
    /// kept in Redis, so every test goes through the quota path).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> UnlimitedQuotas = new Dictionary<string, string>
    {
        ["ShardIngressBytesPerSecond"] = "1099511627776",
        ["ShardIngressRecordsPerSecond"] = "1000000000",
        ["ShardEgressBytesPerSecond"] = "1099511627776",
        ["ShardReadCallsPerSecond"] = "1000000000",
        ["TenantIngressBytesPerSecond"] = "1099511627776",
        ["TenantEgressBytesPerSecond"] = "1099511627776",
    };

    /// <summary>Prefix of this cluster's keys in the (shared) test Redis: stream ids repeat across clusters' databases.</summary>
    public string QuotaKeyPrefix { get; } = $"sluice-it:{Guid.NewGuid():N}:";

    public string MetadataConnectionString { get; private set; } = "";

    /// <summary>
    /// The gateway's <c>Sluice:Security:MasterKey</c> (base64 of 32 random bytes, new per cluster):
    /// an <see cref="AccessKeyStore"/> with it makes access keys the gateway can read.
    /// </summary>
    public string MasterKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretProtectionOptions.MasterKeyBytes));

    /// <summary>The gateway's Kinesis shard iterator lifetime when the cluster sets one.</summary>
    public TimeSpan? IteratorLifetime { get; }

    /// <summary>Set when the cluster reaches PostgreSQL through a proxy that a test can cut.</summary>
    internal TcpProxy? MetadataProxy { get; private set; }

    internal HostProcess? Gateway { get; private set; }

    internal IReadOnlyList<HostProcess> Nodes => _nodes;

    public Uri HttpEndpoint { get; private set; } = null!;

    public Uri GrpcEndpoint { get; private set; } = null!;

    /// <summary>The gateway's TLS port (HTTP/1.1 and HTTP/2 by ALPN), with a self-signed certificate.</summary>
    public Uri HttpsEndpoint { get; private set; } = null!;

    /// <summary>The PEM certificate of <see cref="HttpsEndpoint"/>, for clients to trust.</summary>
    public string TlsCertificatePath { get; private set; } = "";

    public virtual async Task InitializeAsync()
    {
        var admin = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnectionString);
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName}", connection);
            await create.ExecuteNonQueryAsync();
        }

        var direct = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = DatabaseName, Pooling = true };
        MetadataConnectionString = direct.ConnectionString;
        var hostsConnection = direct;
        if (_proxyMetadata)
        {
            MetadataProxy = TcpProxy.Start(direct.Host!, direct.Port);
            hostsConnection = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Host = "127.0.0.1", Port = MetadataProxy.Port, Timeout = 3, CommandTimeout = 5 };
        }

        _dataRoot = TestEnvironment.NewTempDirectory("sluice-it");
        _hostsConnectionString = hostsConnection.ConnectionString;
        TlsCertificatePath = Path.Combine(_dataRoot, "gateway.crt");
        _tlsKeyPath = Path.Combine(_dataRoot, "gateway.key");
        WriteSelfSignedCertificate(TlsCertificatePath, _tlsKeyPath);
        for (var i = 1; i <= _nodeCount; i++)
        {
            _nodes.Add(CreateNode($"node-{i}", hostsConnection.ConnectionString));
        }

        var httpPort = TestEnvironment.FreePort();
        var grpcPort = TestEnvironment.FreePort();
        var scheme = _tls ? "https" : "http";
        HttpEndpoint = new Uri($"{scheme}://127.0.0.1:{httpPort}");
        GrpcEndpoint = new Uri($"{scheme}://127.0.0.1:{grpcPort}");
        var httpsPort = TestEnvironment.FreePort();
        HttpsEndpoint = new Uri($"https://127.0.0.1:{httpsPort}");
        var gateway = new HostProcess("gateway", TestEnvironment.GatewayDll, GatewayEnvironment(httpPort, grpcPort, httpsPort), $"{HttpEndpoint}healthz");
        Gateway = gateway;

        // The gateway migrates the schema; nodes wait for PostgreSQL, and EF's migration lock keeps
        // concurrent migrations safe, so everything starts at once.
        gateway.Start();
        foreach (var node in _nodes)
        {
            node.Start();
        }

        await Task.WhenAll(_nodes.Select(n => n.WaitHealthyAsync(StartTimeout)).Append(gateway.WaitHealthyAsync(StartTimeout)));
        await WaitForLiveNodesAsync(_nodeCount, StartTimeout);
    }

    public virtual async Task DisposeAsync()
    {
        // Also runs after a failed start, when some hosts were never created.
        var hosts = Gateway is null ? _nodes : _nodes.Append(Gateway);
        await Task.WhenAll(hosts.Select(h => h.DisposeAsync().AsTask()));
        MetadataProxy?.Dispose();
        if (_accessKeys is not null)
        {
            await _accessKeys.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var connection = new NpgsqlConnection(TestEnvironment.PostgresConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {DatabaseName} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        finally
        {
            TryDelete(_dataRoot);
        }
    }

    /// <summary>
    /// Another gateway of this cluster (same database, keys and settings, ports of its own), not
    /// started; the caller starts, stops and disposes it.
    /// </summary>
    internal (HostProcess Gateway, Uri HttpEndpoint) CreateExtraGateway(string name)
    {
        var (gateway, http, _) = CreateExtraGatewayWithGrpc(name);
        return (gateway, http);
    }

    /// <summary>Like <see cref="CreateExtraGateway"/>, also answering the gateway's gRPC endpoint.</summary>
    internal (HostProcess Gateway, Uri HttpEndpoint, Uri GrpcEndpoint) CreateExtraGatewayWithGrpc(string name)
    {
        var httpPort = TestEnvironment.FreePort();
        var grpcPort = TestEnvironment.FreePort();
        var endpoint = new Uri($"http://127.0.0.1:{httpPort}");
        var environment = GatewayEnvironment(httpPort, grpcPort, TestEnvironment.FreePort());
        return (new HostProcess(name, TestEnvironment.GatewayDll, environment, $"{endpoint}healthz"), endpoint, new Uri($"http://127.0.0.1:{grpcPort}"));
    }

    /// <summary>The data directory of a storage node: shard logs are in <c>{stream id}/{shard index}</c> below it.</summary>
    internal string NodeDataDirectory(string nodeId) => Path.Combine(_dataRoot, nodeId);

    private Dictionary<string, string> GatewayEnvironment(int httpPort, int grpcPort, int httpsPort)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Metadata"] = WithApplicationName(_hostsConnectionString, "gateway"),
            ["Sluice__Gateway__HttpPort"] = httpPort.ToString(CultureInfo.InvariantCulture),
            ["Sluice__Gateway__GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["Sluice__Gateway__HttpsPort"] = httpsPort.ToString(CultureInfo.InvariantCulture),
            ["Sluice__Gateway__TlsCertificatePath"] = TlsCertificatePath,
            ["Sluice__Gateway__TlsKeyPath"] = _tlsKeyPath,
            ["Sluice__Gateway__RouteTtl"] = "00:00:02",
            ["Sluice__Gateway__NodeLease"] = _nodeLease.ToString("c", CultureInfo.InvariantCulture),
            ["Sluice__Auth__SigningKey"] = Convert.ToBase64String(_signingKey),
            ["Sluice__Security__MasterKey"] = MasterKey,
        };
        if (_tls)
        {
            environment["Sluice__Gateway__TlsOnAllListeners"] = "true";
            environment["Sluice__InternalTls__CaCertificatePath"] = TlsCertificatePath;
        }

        var redis = _redis ?? TestEnvironment.RedisEndpoint;
        environment["Sluice__Quotas__Enabled"] = redis is null ? "false" : "true";
        if (redis is not null)
        {
            environment["ConnectionStrings__Redis"] = redis;
        }

        environment["Sluice__Quotas__KeyPrefix"] = QuotaKeyPrefix;
        environment["Sluice__Quotas__UsageFlushInterval"] = "00:00:01";
        environment["Sluice__Quotas__LimitsRefreshInterval"] = "00:00:01";
        foreach (var (key, value) in UnlimitedQuotas.Concat(_quotas ?? new Dictionary<string, string>()))
        {
            environment[$"Sluice__Quotas__{key}"] = value;
        }

        if (IteratorLifetime is { } lifetime)
        {
            environment["Sluice__Kinesis__IteratorLifetime"] = lifetime.ToString("c", CultureInfo.InvariantCulture);
        }

        if (_lifecycleWaitTimeout is { } wait)
        {
            environment["Sluice__Lifecycle__WaitTimeout"] = wait.ToString("c", CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in _gatewaySettings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return environment;
    }

    private static void WriteSelfSignedCertificate(string certificatePath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(TestCertificateSubject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>Creates a tenant with a unique name and returns it with a valid token.</summary>
    public async Task<TestTenant> CreateTenantAsync(string prefix = "t")
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)];
        var accountId = RandomNumberGenerator.GetInt32(100_000, 999_999).ToString(CultureInfo.InvariantCulture) + RandomNumberGenerator.GetInt32(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        await using var connection = new NpgsqlConnection(MetadataConnectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO tenants (id, name, account_id, status, created_at) VALUES (@id, @name, @account, 'Active', now())", connection);
        var id = Guid.NewGuid();
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("name", name);
        insert.Parameters.AddWithValue("account", accountId);
        await insert.ExecuteNonQueryAsync();
        return new TestTenant(name, accountId, IssueToken(name, TimeSpan.FromHours(1)), id);
    }

    /// <summary>
    /// Creates an active access key (for the Kinesis API) of the tenant, stored in the cluster's
    /// database and encrypted with its <see cref="MasterKey"/>, exactly as the gateway's
    /// <c>access-key create</c> would; with <paramref name="principalId"/> the key acts as that service account.
    /// </summary>
    public async Task<NewAccessKey> CreateAccessKeyAsync(TestTenant tenant, string? description = null, Guid? principalId = null)
    {
        ServiceProvider services;
        lock (_accessKeysLock)
        {
            services = _accessKeys ??= new ServiceCollection()
                .AddLogging()
                .AddSluiceMetadata(MetadataConnectionString)
                .AddSluiceAccessKeys(new SecretProtectionOptions { MasterKey = MasterKey })
                .BuildServiceProvider();
        }

        return await services.GetRequiredService<AccessKeyStore>().CreateAsync(tenant.Id, description, principalId);
    }

    /// <summary>
    /// A token signed with the cluster's key (or another key), for any tenant and lifetime, carrying <paramref name="roles"/>
    /// (by default the tenant admin role, which may do everything in the tenant) and <paramref name="subject"/>.
    /// </summary>
    public string IssueToken(string tenant, TimeSpan lifetime, byte[]? signingKey = null, DateTime? notBefore = null, string? audience = null,
        IEnumerable<string>? roles = null, string subject = "test")
    {
        var claims = new List<Claim> { new("tenant", tenant), new("sub", subject) };
        claims.AddRange((roles ?? ["tenant-admin"]).Select(role => new Claim("role", role)));
        var start = notBefore ?? DateTime.UtcNow.AddMinutes(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "sluice",
            Audience = audience ?? "sluice",
            IssuedAt = start,
            NotBefore = start,
            Expires = start + lifetime,
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(signingKey ?? _signingKey), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>A token with the admin role (<c>role: platform-admin</c>) and no tenant, signed with the cluster's key: what <c>token --admin</c> prints.</summary>
    public string IssueAdminToken(TimeSpan lifetime)
    {
        var start = DateTime.UtcNow.AddMinutes(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "sluice",
            Audience = "sluice",
            IssuedAt = start,
            NotBefore = start,
            Expires = start + lifetime,
            Subject = new ClaimsIdentity([new Claim("role", "platform-admin"), new Claim("sub", "test-admin")]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(_signingKey), SecurityAlgorithms.HmacSha256),
        });
    }

    public SluiceClient CreateClient(TestTenant tenant) =>
        new(new SluiceClientOptions { Endpoint = GrpcEndpoint, Token = tenant.Token, CaCertificatePath = _tls ? TlsCertificatePath : null });

    public HttpClient CreateHttpClient(string? token)
    {
        var handler = new SocketsHttpHandler();
        if (_tls)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.Add(X509Certificate2.CreateFromPem(File.ReadAllText(TlsCertificatePath)));
            handler.SslOptions.CertificateChainPolicy = policy;
        }

        var http = new HttpClient(handler) { BaseAddress = HttpEndpoint, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    /// <summary>Waits until the gateway's readiness reports <paramref name="count"/> live storage nodes.</summary>
    public async Task WaitForLiveNodesAsync(int count, TimeSpan timeout)
    {
        await using var connection = new NpgsqlConnection(MetadataConnectionString);
        await connection.OpenAsync();
        await Wait.UntilAsync(async () =>
        {
            await using var query = new NpgsqlCommand("SELECT count(*) FROM storage_nodes WHERE heartbeat_at > now() - interval '5 seconds'", connection);
            return (long)(await query.ExecuteScalarAsync())! >= count;
        }, timeout, () => $"{count} live storage nodes");
    }

    internal HostProcess Node(string nodeId) => _nodes.Single(n => n.Name == nodeId);

    /// <summary>
    /// Starts another gateway of the cluster (same database, keys and settings, its own ports),
    /// with route caches of its own: what a second gateway instance behind a load balancer sees.
    /// The caller disposes it.
    /// </summary>
    internal async Task<(HostProcess Gateway, Uri HttpEndpoint)> StartExtraGatewayAsync()
    {
        var (gateway, http) = CreateExtraGateway($"gateway-{Guid.NewGuid():N}"[..16]);
        try
        {
            gateway.Start();
            await gateway.WaitHealthyAsync(StartTimeout);
            return (gateway, http);
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts one more storage node of the cluster, with a new id and an empty data directory (what adding a machine
    /// does), and waits until it is healthy. It joins <see cref="Nodes"/>, so the cluster heals and disposes it too.
    /// </summary>
    internal async Task<HostProcess> AddNodeAsync(string id)
    {
        if (_nodes.Any(n => n.Name == id))
        {
            throw new InvalidOperationException($"The cluster already has a node {id}.");
        }

        var node = CreateNode(id, _hostsConnectionString);
        _nodes.Add(node);
        node.Start();
        await node.WaitHealthyAsync(StartTimeout);
        return node;
    }

    private HostProcess CreateNode(string id, string connectionString)
    {
        var grpcPort = TestEnvironment.FreePort();
        var httpPort = TestEnvironment.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Metadata"] = WithApplicationName(connectionString, id),
            ["Sluice__Node__Id"] = id,
            ["Sluice__Node__DataDir"] = Path.Combine(_dataRoot, id),
            ["Sluice__Node__GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["Sluice__Node__HttpPort"] = httpPort.ToString(CultureInfo.InvariantCulture),
            ["Sluice__Node__HeartbeatInterval"] = "00:00:01",
            ["Sluice__Node__MaintenanceInterval"] = "00:00:02",
            ["Sluice__Controller__Enabled"] = _controllers ? "true" : "false",
            ["Sluice__Controller__Id"] = id,
            ["Sluice__Security__MasterKey"] = MasterKey,
        };
        if (_tls)
        {
            environment["Sluice__Node__TlsCertificatePath"] = TlsCertificatePath;
            environment["Sluice__Node__TlsKeyPath"] = _tlsKeyPath;
            environment["Sluice__InternalTls__CaCertificatePath"] = TlsCertificatePath;
        }

        foreach (var (key, value) in _nodeSettings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return new HostProcess(id, TestEnvironment.StorageNodeDll, environment, $"http://127.0.0.1:{httpPort}/healthz");
    }

    /// <summary>
    /// The host's name as its PostgreSQL application name: <c>pg_stat_activity</c> then tells which
    /// host a session (and the advisory locks it holds) belongs to.
    /// </summary>
    private static string WithApplicationName(string connectionString, string host) =>
        new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = host }.ConnectionString;

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A tenant created for one test.</summary>
public sealed record TestTenant(string Name, string AccountId, string Token, Guid Id);

/// <summary>The shared three-node cluster most tests use.</summary>
public sealed class ClusterFixture() : SluiceCluster(nodeCount: 3);

/// <summary>Two storage nodes and a gateway with TLS on every listener, internal gRPC included.</summary>
public sealed class TlsClusterFixture() : SluiceCluster(nodeCount: 2, tls: true);

[CollectionDefinition(Name)]
public sealed class TlsClusterCollection : ICollectionFixture<TlsClusterFixture>
{
    public const string Name = "tls-cluster";
}

/// <summary>A cluster for tests that kill and restart storage nodes.</summary>
public sealed class FaultClusterFixture() : SluiceCluster(nodeCount: 3);

/// <summary>A cluster whose storage nodes run their controllers, for failover tests that kill nodes.</summary>
public sealed class ControllerClusterFixture() : SluiceCluster(nodeCount: 3, controllers: true);

[CollectionDefinition(Name)]
public sealed class ControllerClusterCollection : ICollectionFixture<ControllerClusterFixture>
{
    public const string Name = "controller-cluster";
}

/// <summary>A cluster that reaches PostgreSQL through a proxy a test can cut.</summary>
public sealed class MetadataOutageFixture() : SluiceCluster(nodeCount: 1, proxyMetadata: true);

/// <summary>
/// Three storage nodes for the replication fault tests, reaching PostgreSQL through a proxy a test
/// can cut, with fast failover: a 3 s controller node lease and a heartbeat every second, and
/// replication factor 3 by default (keys of the replication work in issue 4; a host that does not
/// know them yet ignores them).
/// </summary>
public sealed class ReplicationFaultFixture() : SluiceCluster(
    nodeCount: 3,
    proxyMetadata: true,
    gatewaySettings: FailoverSettings,
    nodeSettings: FailoverSettings)
{
    /// <summary>How long the controller waits for a node's heartbeat before moving its leaderships.</summary>
    public static readonly TimeSpan ControllerNodeLease = TimeSpan.FromSeconds(3);

    private static readonly Dictionary<string, string> FailoverSettings = new()
    {
        ["Sluice__Controller__NodeLease"] = ControllerNodeLease.ToString("c", CultureInfo.InvariantCulture),
        ["Sluice__Node__HeartbeatInterval"] = "00:00:01",
        ["Sluice__Catalog__DefaultReplicationFactor"] = "3",
    };
}

/// <summary>
/// Three storage nodes that the rebalance test grows by a fourth, with the fast failover settings of
/// <see cref="ReplicationFaultFixture"/> (without the metadata proxy); streams get the default replication factor, 3.
/// </summary>
public sealed class RebalanceClusterFixture() : SluiceCluster(
    nodeCount: 3,
    gatewaySettings: Settings,
    nodeSettings: Settings)
{
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Sluice__Controller__NodeLease"] = ReplicationFaultFixture.ControllerNodeLease.ToString("c", CultureInfo.InvariantCulture),
        ["Sluice__Node__HeartbeatInterval"] = "00:00:01",
    };
}

[CollectionDefinition(Name)]
public sealed class RebalanceClusterCollection : ICollectionFixture<RebalanceClusterFixture>
{
    public const string Name = "rebalance-cluster";
}

/// <summary>
/// A cluster for real Kinesis clients (AWS CLI, boto3): its Kinesis shard iterators expire after
/// <see cref="IteratorLifetimeSeconds"/>, so a client can wait one out and see ExpiredIteratorException.
/// </summary>
public sealed class KinesisClientFixture() : SluiceCluster(nodeCount: 2, iteratorLifetime: TimeSpan.FromSeconds(IteratorLifetimeSeconds))
{
    /// <summary>
    /// Long enough that no client under a loaded test run leaves this long between receiving an
    /// iterator and using it (8 s was not: one AWS CLI process, started between get-shard-iterator
    /// and get-records on a box with a load near 20, took 11 s), short enough to wait out in a test.
    /// </summary>
    public const int IteratorLifetimeSeconds = 20;
}

/// <summary>
/// A one-node cluster for stream lifecycle tests: its node counts as live for a minute after it
/// stops (so a stream can be placed on it while it is down and stay CREATING or DELETING until it
/// is back), and REST and gRPC stop waiting for a stream's transition after a few seconds.
/// </summary>
public sealed class LifecycleClusterFixture() : SluiceCluster(nodeCount: 1, nodeLease: TimeSpan.FromMinutes(1), lifecycleWaitTimeout: TimeSpan.FromSeconds(LifecycleWaitSeconds))
{
    public const int LifecycleWaitSeconds = 3;
}

/// <summary>
/// A cluster for Kinesis enhanced fan-out: consumers become ACTIVE after
/// <see cref="ActivationDelay"/>, and subscriptions last <see cref="SubscriptionLifetime"/>, send a
/// heartbeat event after a second without records and check their leases twice a second.
/// </summary>
public sealed class KinesisConsumersFixture() : SluiceCluster(nodeCount: 1, gatewaySettings: new Dictionary<string, string>
{
    ["Sluice__Kinesis__ConsumerActivationDelay"] = ActivationDelay.ToString("c", CultureInfo.InvariantCulture),
    ["Sluice__Kinesis__ConsumerDeletionDelay"] = "00:00:00.500",
    ["Sluice__Kinesis__SubscriptionLifetime"] = SubscriptionLifetime.ToString("c", CultureInfo.InvariantCulture),
    ["Sluice__Kinesis__SubscriptionHeartbeat"] = "00:00:01",
    ["Sluice__Kinesis__SubscriptionLeaseCheckInterval"] = "00:00:00.500",
})
{
    /// <summary>Long enough that 6 registrations at once are all still CREATING when the 6th is refused.</summary>
    public static readonly TimeSpan ActivationDelay = TimeSpan.FromSeconds(2);

    /// <summary>Short, so a test sees a subscription end by itself.</summary>
    public static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromSeconds(8);
}

[CollectionDefinition(Name)]
public sealed class KinesisConsumersCollection : ICollectionFixture<KinesisConsumersFixture>
{
    public const string Name = "kinesis-consumers";
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

[CollectionDefinition(Name)]
public sealed class FaultClusterCollection : ICollectionFixture<FaultClusterFixture>
{
    public const string Name = "fault-cluster";
}

[CollectionDefinition(Name)]
public sealed class MetadataOutageCollection : ICollectionFixture<MetadataOutageFixture>
{
    public const string Name = "metadata-outage";
}

[CollectionDefinition(Name)]
public sealed class ReplicationFaultCollection : ICollectionFixture<ReplicationFaultFixture>
{
    public const string Name = "replication-faults";
}

[CollectionDefinition(Name)]
public sealed class KinesisClientCollection : ICollectionFixture<KinesisClientFixture>
{
    public const string Name = "kinesis-clients";
}

[CollectionDefinition(Name)]
public sealed class LifecycleClusterCollection : ICollectionFixture<LifecycleClusterFixture>
{
    public const string Name = "lifecycle-cluster";
}

/// <summary>A three-node cluster for the replication tests, which kill and pause its nodes.</summary>
public sealed class ReplicationClusterFixture() : SluiceCluster(nodeCount: 3);

[CollectionDefinition(Name)]
public sealed class ReplicationClusterCollection : ICollectionFixture<ReplicationClusterFixture>
{
    public const string Name = "replication-cluster";
}
