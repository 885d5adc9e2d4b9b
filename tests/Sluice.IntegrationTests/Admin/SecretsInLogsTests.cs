using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Grpc.Core;
using Sluice.Client;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.IntegrationTests.Kinesis;

namespace Sluice.IntegrationTests.Admin;

/// <summary>
/// Secrets never reach the logs: with the gateway and storage node logging at Debug, every line they write while access
/// keys are created, rotated, used (good and bad signatures) and deleted, and while good and bad bearer tokens are
/// presented, is scanned for the secret access keys, the bearer tokens (whole, or their signature part) and the master key.
/// </summary>
[Collection(AdminClusterCollection.Name)]
public sealed class SecretsInLogsTests(AdminClusterFixture cluster)
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task No_secret_key_bearer_token_or_master_key_appears_in_any_log_line()
    {
        var captures = cluster.Nodes.Append(cluster.Gateway!).Select(h => h.CaptureLog()).ToList();
        try
        {
            var secrets = new List<string> { cluster.MasterKey };
            var adminToken = cluster.IssueAdminToken(TimeSpan.FromHours(1));
            secrets.AddRange(TokenSecrets(adminToken));
            using var admin = cluster.CreateHttpClient(adminToken);
            var tenant = await admin.CreateTenantAsync(cluster, "logs");
            secrets.AddRange(TokenSecrets(tenant.Token));
            var keys = $"/admin/v1/tenants/{tenant.Name}/access-keys";

            // Create, rotate, create-and-delete.
            var first = await admin.PostJsonAsync(keys, new { description = "first" }, HttpStatusCode.Created);
            var firstId = first.GetProperty("accessKeyId").GetString()!;
            secrets.Add(first.GetProperty("secretAccessKey").GetString()!);
            var rotated = await admin.PostJsonAsync($"{keys}/{firstId}/rotate", null, HttpStatusCode.Created);
            var id = rotated.GetProperty("accessKeyId").GetString()!;
            var secret = rotated.GetProperty("secretAccessKey").GetString()!;
            secrets.Add(secret);
            var spare = await admin.PostJsonAsync(keys, new { description = "spare" }, HttpStatusCode.Created);
            secrets.Add(spare.GetProperty("secretAccessKey").GetString()!);
            (await admin.DeleteAsync($"{keys}/{spare.GetProperty("accessKeyId").GetString()}")).EnsureSuccessStatusCode();

            // Good signed requests, records included.
            using (var kinesis = new SignedKinesisClient(cluster.HttpEndpoint, id, secret))
            {
                await kinesis.CreateStreamAndWaitAsync("logged", new { StreamName = "logged", ShardCount = 1 });
                await kinesis.CallAsync("PutRecord", new { StreamName = "logged", PartitionKey = "p", Data = Convert.ToBase64String("payload"u8.ToArray()) });
                await kinesis.CallAsync("ListStreams", new { });
            }

            // Bad signed requests: wrong secret, the rotated-out key, an unknown key, a stale date, a changed body.
            foreach (var (keyId, keySecret) in new[] { (id, secret[..^1] + (secret[^1] == 'x' ? "y" : "x")), (firstId, first.GetProperty("secretAccessKey").GetString()!), ("SLUAAAAAAAAAAAAAAAAA", secret) })
            {
                using var bad = new SignedKinesisClient(cluster.HttpEndpoint, keyId, keySecret);
                var (status, _) = await bad.SendAsync("ListStreams", new { });
                Assert.Equal(HttpStatusCode.BadRequest, status);
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using (var stale = SigV4TestRequest.Create(cluster.HttpEndpoint, id, secret, "ListStreams", "{}", DateTime.UtcNow.AddMinutes(-20)))
            {
                Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(stale)).StatusCode);
            }

            using (var changed = SigV4TestRequest.Create(cluster.HttpEndpoint, id, secret, "ListStreams", "{}", DateTime.UtcNow))
            {
                changed.Content = new StringContent("{\"Limit\":1}");
                changed.Content.Headers.ContentType = new("application/x-amz-json-1.1");
                Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(changed)).StatusCode);
            }

            // Bad bearer tokens on REST, admin and gRPC: forged, expired, wrong audience, garbage.
            var forged = cluster.IssueToken(tenant.Name, TimeSpan.FromHours(1), RandomNumberGenerator.GetBytes(48));
            var expired = cluster.IssueToken(tenant.Name, TimeSpan.FromMinutes(1), notBefore: DateTime.UtcNow.AddHours(-2));
            var wrongAudience = cluster.IssueToken(tenant.Name, TimeSpan.FromHours(1), audience: "elsewhere");
            foreach (var token in new[] { forged, expired, wrongAudience })
            {
                secrets.AddRange(TokenSecrets(token));
            }

            foreach (var token in new[] { forged, expired, wrongAudience, "not-a-jwt", tenant.Token })
            {
                using var client = cluster.CreateHttpClient(token);
                using var streams = await client.GetAsync("/v1/streams");
                using var adminCall = await client.GetAsync("/admin/v1/audit");
                Assert.NotEqual(HttpStatusCode.OK, adminCall.StatusCode);
                using var grpc = new SluiceClient(new SluiceClientOptions { Endpoint = cluster.GrpcEndpoint, Token = token });
                await Assert.ThrowsAsync<RpcException>(() => grpc.DescribeStreamAsync("no-such-stream"));
            }

            // Everything logged so far is out once a marker request shows up in the gateway's log.
            var marker = Guid.NewGuid().ToString("N");
            (await http.GetAsync(new Uri(cluster.HttpEndpoint, $"/healthz?marker={marker}"))).EnsureSuccessStatusCode();
            var gateway = captures[^1];
            await Wait.UntilAsync(() => gateway.Lines.Any(l => l.Contains(marker, StringComparison.Ordinal)), FlushTimeout, "the gateway to log the marker request");

            Assert.True(gateway.Lines.Count > 50, $"the gateway should log at Debug; it wrote {gateway.Lines.Count} lines");
            Assert.Contains(gateway.Lines, l => l.Contains("Bearer", StringComparison.Ordinal));
            foreach (var capture in captures)
            {
                foreach (var line in capture.Lines)
                {
                    foreach (var value in secrets)
                    {
                        Assert.False(line.Contains(value, StringComparison.Ordinal), $"{capture.HostName} logged a secret: {line}");
                    }
                }
            }
        }
        finally
        {
            foreach (var capture in captures)
            {
                capture.Dispose();
            }
        }
    }

    // A JWT's whole text, and its signature part: either in a log would let someone replay or study the token.
    private static IEnumerable<string> TokenSecrets(string token) => [token, token[(token.LastIndexOf('.') + 1)..]];
}
