using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Npgsql;
using Sluice.Client;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.IntegrationTests.Kinesis;
using Sluice.V1;

namespace Sluice.IntegrationTests.Tls;

/// <summary>
/// A cluster with TLS on every gateway listener and on the storage nodes' internal gRPC: REST, gRPC (the SDK trusting
/// the development certificate as its root) and Kinesis work end to end over TLS, replication between the nodes too,
/// and clients that speak plain text, or do not trust the certificate, are refused.
/// </summary>
[Collection(TlsClusterCollection.Name)]
public sealed class TlsClusterTests(TlsClusterFixture cluster)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Rest_grpc_and_kinesis_work_over_tls_end_to_end_and_storage_nodes_register_https_addresses()
    {
        Assert.Equal("https", cluster.HttpEndpoint.Scheme);
        Assert.Equal("https", cluster.GrpcEndpoint.Scheme);
        var addresses = await NodeAddressesAsync();
        Assert.Equal(2, addresses.Count);
        Assert.All(addresses, a => Assert.StartsWith("https://", a, StringComparison.Ordinal));

        var tenant = await cluster.CreateTenantAsync("tls");

        // gRPC over TLS with the SDK trusting the development certificate (SLUICE_TLS_CA).
        var options = SluiceClientOptions.FromEnvironment(name => name switch
        {
            SluiceClientOptions.EndpointVariable => cluster.GrpcEndpoint.ToString(),
            SluiceClientOptions.TokenVariable => tenant.Token,
            SluiceClientOptions.CaCertificateVariable => cluster.TlsCertificatePath,
            _ => null,
        });
        using var grpc = new SluiceClient(options);
        var stream = $"tls-{Guid.NewGuid():N}";
        var description = await grpc.CreateStreamAsync(stream, 1, new CreateStreamOptions { ReplicationFactor = 2 });
        Assert.Equal("ACTIVE", description.Status);
        var put = await grpc.PutRecordsAsync(stream, [new PutRecordsEntry { PartitionKey = "p", Data = ByteString.CopyFromUtf8("grpc-0") }]);
        Assert.Equal(0, put.FailedRecordCount);

        // REST over https.
        using var http = cluster.CreateHttpClient(tenant.Token);
        var restPut = await http.PostAsJsonAsync($"/v1/streams/{stream}/records", new
        {
            records = new[] { new { partitionKey = "p", data = Convert.ToBase64String("rest-1"u8.ToArray()) } },
        });
        Assert.Equal(HttpStatusCode.OK, restPut.StatusCode);

        // Kinesis over https, on HTTP/1.1 and on HTTP/2 (the gRPC port).
        var key = await cluster.CreateAccessKeyAsync(tenant);
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(cluster.TlsCertificatePath));
        using var kinesis = new SignedKinesisClient(cluster.HttpEndpoint, key.AccessKeyId, key.SecretAccessKey, trusted: certificate);
        using var kinesisH2 = new SignedKinesisClient(cluster.GrpcEndpoint, key.AccessKeyId, key.SecretAccessKey, HttpVersion.Version20, certificate);
        await kinesis.CallAsync("PutRecord", new { StreamName = stream, PartitionKey = "p", Data = Convert.ToBase64String("kinesis-2"u8.ToArray()) });
        await kinesisH2.CallAsync("PutRecord", new { StreamName = stream, PartitionKey = "p", Data = Convert.ToBase64String("kinesis-3"u8.ToArray()) });
        Assert.Equal(HttpVersion.Version20, kinesisH2.LastVersion);

        string[] expected = ["grpc-0", "rest-1", "kinesis-2", "kinesis-3"];
        var read = await grpc.GetRecordsAsync(new GetRecordsRequest { Stream = stream, ShardId = "shardId-000000000000", Position = StartPosition.TrimHorizon });
        Assert.Equal(expected, read.Records.Select(r => r.Data.ToStringUtf8()));
        var restRead = await http.GetFromJsonAsync<JsonElement>($"/v1/streams/{stream}/shards/shardId-000000000000/records?from=oldest");
        Assert.Equal(expected, restRead.GetProperty("records").EnumerateArray().Select(r => Encoding.UTF8.GetString(r.GetProperty("data").GetBytesFromBase64())));
        var iterator = (string)(await kinesis.CallAsync("GetShardIterator", new { StreamName = stream, ShardId = "shardId-000000000000", ShardIteratorType = "TRIM_HORIZON" }))["ShardIterator"]!;
        var records = (await kinesis.CallAsync("GetRecords", new { ShardIterator = iterator }))["Records"]!.AsArray();
        Assert.Equal(expected, records.Select(r => Encoding.UTF8.GetString(Convert.FromBase64String((string)r!["Data"]!))));

        // The follower replicates from the leader over the internal TLS channel: both replicas in sync and caught up.
        var streamId = await cluster.StreamIdAsync(tenant.Id, stream);
        await cluster.WaitForFullIsrAsync(streamId, Bound);
        var state = await cluster.ShardStateAsync(streamId, 0);
        Assert.Equal(2, state.Isr.Count);
        await Wait.UntilAsync(() => Task.FromResult(state.Replicas.Select(n => SegmentSize(cluster.ReplicaDirectory(n, streamId, 0))).Distinct().Count() == 1),
            Bound, () => $"both replicas of stream {streamId} to hold the same bytes");
    }

    [Fact]
    public async Task Plain_text_and_untrusting_clients_are_refused_on_every_tls_port()
    {
        var tenant = await cluster.CreateTenantAsync("tlsno");

        // HTTP/1.1 in plain text to the REST port, and h2c to the gRPC port.
        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var rest = new UriBuilder(cluster.HttpEndpoint) { Scheme = "http" }.Uri;
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync(new Uri(rest, "/healthz")));
        var h2c = new UriBuilder(cluster.GrpcEndpoint) { Scheme = "http" }.Uri;
        using var plainGrpc = new SluiceClient(new SluiceClientOptions { Endpoint = h2c, Token = tenant.Token, RequestTimeout = TimeSpan.FromSeconds(10) });
        var refused = await Assert.ThrowsAsync<RpcException>(() => plainGrpc.DescribeStreamAsync("any"));
        Assert.NotEqual(StatusCode.NotFound, refused.StatusCode);

        // TLS without trusting the development certificate: the handshake fails, nothing is sent.
        using var untrusting = new SluiceClient(new SluiceClientOptions { Endpoint = cluster.GrpcEndpoint, Token = tenant.Token, RequestTimeout = TimeSpan.FromSeconds(10) });
        var untrusted = await Assert.ThrowsAsync<RpcException>(() => untrusting.DescribeStreamAsync("any"));
        Assert.True(untrusted.StatusCode is StatusCode.Unavailable or StatusCode.Internal, untrusted.ToString());
        Assert.IsType<System.Security.Authentication.AuthenticationException>(untrusted.Status.DebugException?.InnerException ?? untrusted.Status.DebugException, exactMatch: false);
        using var untrustingHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => untrustingHttp.GetAsync(new Uri(cluster.HttpEndpoint, "/healthz")));

        // The storage nodes' gRPC ports take TLS only as well.
        foreach (var address in await NodeAddressesAsync())
        {
            var node = new UriBuilder(address) { Scheme = "http" }.Uri;
            using var h2cHandler = new SocketsHttpHandler();
            using var h2cClient = new HttpClient(h2cHandler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = TimeSpan.FromSeconds(10) };
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => h2cClient.GetAsync(node));

            using var trusting = cluster.CreateHttpClient(null);
            using var request = new HttpRequestMessage(HttpMethod.Get, address) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var answer = await trusting.SendAsync(request);
            Assert.Equal(HttpVersion.Version20, answer.Version); // a TLS handshake with the node's certificate, then HTTP/2
        }

        // The trusted path works on the same ports (so the refusals above are about TLS, not a dead cluster).
        using var http = cluster.CreateHttpClient(tenant.Token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }

    private async Task<List<string>> NodeAddressesAsync()
    {
        await using var connection = new NpgsqlConnection(cluster.MetadataConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT address FROM storage_nodes ORDER BY id", connection);
        var addresses = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            addresses.Add(reader.GetString(0));
        }

        return addresses;
    }

    private static long SegmentSize(string directory) => Directory.GetFiles(directory, "*.log").Sum(f => new FileInfo(f).Length);
}
