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
public class SluiceCluster : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly int _nodeCount;
    private readonly bool _proxyMetadata;
    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(48);
    private readonly List<HostProcess> _nodes = [];
    private readonly Lock _accessKeysLock = new();
    private ServiceProvider? _accessKeys;
    private string _dataRoot = "";
    private Dictionary<string, string> _gatewayEnvironment = [];

    /// <param name="nodeCount">Storage nodes to run.</param>
    /// <param name="proxyMetadata">Reach PostgreSQL through a <see cref="TcpProxy"/> a test can cut.</param>
    /// <param name="iteratorLifetime">
    /// The gateway's <c>Sluice:Kinesis:IteratorLifetime</c> (its default when null): short, so a
    /// test can wait for a Kinesis shard iterator to expire.
    /// </param>
    protected SluiceCluster(int nodeCount, bool proxyMetadata = false, TimeSpan? iteratorLifetime = null)
    {
        _nodeCount = nodeCount;
        _proxyMetadata = proxyMetadata;
        IteratorLifetime = iteratorLifetime;
    }

    public string DatabaseName { get; } = $"sluice_it_{Guid.NewGuid():N}";

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
        for (var i = 1; i <= _nodeCount; i++)
        {
            _nodes.Add(CreateNode($"node-{i}", hostsConnection.ConnectionString));
        }

        var httpPort = TestEnvironment.FreePort();
        var grpcPort = TestEnvironment.FreePort();
        HttpEndpoint = new Uri($"http://127.0.0.1:{httpPort}");
        GrpcEndpoint = new Uri($"http://127.0.0.1:{grpcPort}");
        var httpsPort = TestEnvironment.FreePort();
        HttpsEndpoint = new Uri($"https://127.0.0.1:{httpsPort}");
        TlsCertificatePath = Path.Combine(_dataRoot, "gateway.crt");
        var tlsKeyPath = Path.Combine(_dataRoot, "gateway.key");
        WriteSelfSignedCertificate(TlsCertificatePath, tlsKeyPath);
        var gatewayEnvironment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Metadata"] = hostsConnection.ConnectionString,
            ["Sluice__Gateway__HttpPort"] = httpPort.ToString(CultureInfo.InvariantCulture),
            ["Sluice__Gateway__GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["Sluice__Gateway__HttpsPort"] = httpsPort.ToString(CultureInfo.InvariantCulture),
            ["Sluice__Gateway__TlsCertificatePath"] = TlsCertificatePath,
            ["Sluice__Gateway__TlsKeyPath"] = tlsKeyPath,
            ["Sluice__Gateway__RouteTtl"] = "00:00:02",
            ["Sluice__Gateway__NodeLease"] = "00:00:06",
            ["Sluice__Auth__SigningKey"] = Convert.ToBase64String(_signingKey),
            ["Sluice__Security__MasterKey"] = MasterKey,
        };
        if (IteratorLifetime is { } lifetime)
        {
            gatewayEnvironment["Sluice__Kinesis__IteratorLifetime"] = lifetime.ToString("c", CultureInfo.InvariantCulture);
        }

        _gatewayEnvironment = gatewayEnvironment;
        var gateway = new HostProcess("gateway", TestEnvironment.GatewayDll, gatewayEnvironment, $"{HttpEndpoint}healthz");
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

    private static void WriteSelfSignedCertificate(string certificatePath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Sluice test gateway", key, HashAlgorithmName.SHA256);
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
    /// <c>access-key create</c> would.
    /// </summary>
    public async Task<NewAccessKey> CreateAccessKeyAsync(TestTenant tenant, string? description = null)
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

        return await services.GetRequiredService<AccessKeyStore>().CreateAsync(tenant.Id, description);
    }

    /// <summary>A token signed with the cluster's key (or another key), for any tenant and lifetime.</summary>
    public string IssueToken(string tenant, TimeSpan lifetime, byte[]? signingKey = null, DateTime? notBefore = null, string? audience = null)
    {
        var start = notBefore ?? DateTime.UtcNow.AddMinutes(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "sluice",
            Audience = audience ?? "sluice",
            IssuedAt = start,
            NotBefore = start,
            Expires = start + lifetime,
            Subject = new ClaimsIdentity([new Claim("tenant", tenant), new Claim("sub", "test")]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(signingKey ?? _signingKey), SecurityAlgorithms.HmacSha256),
        });
    }

    public SluiceClient CreateClient(TestTenant tenant) => new(new SluiceClientOptions { Endpoint = GrpcEndpoint, Token = tenant.Token });

    public HttpClient CreateHttpClient(string? token)
    {
        var http = new HttpClient { BaseAddress = HttpEndpoint, Timeout = TimeSpan.FromSeconds(60) };
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
        var http = new Uri($"http://127.0.0.1:{TestEnvironment.FreePort()}");
        var environment = new Dictionary<string, string>(_gatewayEnvironment)
        {
            ["Sluice__Gateway__HttpPort"] = http.Port.ToString(CultureInfo.InvariantCulture),
            ["Sluice__Gateway__GrpcPort"] = TestEnvironment.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Sluice__Gateway__HttpsPort"] = "0",
        };
        var gateway = new HostProcess($"gateway-{http.Port}", TestEnvironment.GatewayDll, environment, $"{http}healthz");
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

    private HostProcess CreateNode(string id, string connectionString)
    {
        var grpcPort = TestEnvironment.FreePort();
        var httpPort = TestEnvironment.FreePort();
        return new HostProcess(id, TestEnvironment.StorageNodeDll, new Dictionary<string, string>
        {
            ["ConnectionStrings__Metadata"] = connectionString,
            ["Sluice__Node__Id"] = id,
            ["Sluice__Node__DataDir"] = Path.Combine(_dataRoot, id),
            ["Sluice__Node__GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["Sluice__Node__HttpPort"] = httpPort.ToString(CultureInfo.InvariantCulture),
            ["Sluice__Node__HeartbeatInterval"] = "00:00:01",
            ["Sluice__Node__MaintenanceInterval"] = "00:00:02",
        }, $"http://127.0.0.1:{httpPort}/healthz");
    }

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

/// <summary>A cluster for tests that kill and restart storage nodes.</summary>
public sealed class FaultClusterFixture() : SluiceCluster(nodeCount: 3);

/// <summary>A cluster that reaches PostgreSQL through a proxy a test can cut.</summary>
public sealed class MetadataOutageFixture() : SluiceCluster(nodeCount: 1, proxyMetadata: true);

/// <summary>
/// A cluster for real Kinesis clients (AWS CLI, boto3): its Kinesis shard iterators expire after
/// <see cref="IteratorLifetimeSeconds"/>, so a client can wait one out and see ExpiredIteratorException.
/// </summary>
public sealed class KinesisClientFixture() : SluiceCluster(nodeCount: 2, iteratorLifetime: TimeSpan.FromSeconds(IteratorLifetimeSeconds))
{
    /// <summary>
    /// Long enough that no client under a loaded test run leaves this long between receiving an
    /// iterator and using it, short enough to wait out in a test.
    /// </summary>
    public const int IteratorLifetimeSeconds = 5;
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
public sealed class KinesisClientCollection : ICollectionFixture<KinesisClientFixture>
{
    public const string Name = "kinesis-clients";
}
