using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Kinesis;

/// <summary>
/// Signature V4 refusals over the wire, each with the AWS error type and status Kinesis gives: a request signed too long
/// ago or ahead, a body or signed header changed after signing, and keys that are unknown, disabled or deleted through
/// the admin API (refused at once, though the verifier caches keys). The request signed here as is succeeds, so each
/// refusal is down to the one thing changed. (A wrong secret is in <c>KinesisApiTests</c>.)
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SigV4NegativeTests(ClusterFixture cluster)
{
    private static readonly TimeSpan PromptTimeout = TimeSpan.FromSeconds(5);

    public enum Tampering
    {
        None,
        SignedSixteenMinutesAgo,
        SignedSixteenMinutesAhead,
        BodyChanged,
        SignedHeaderChanged,
        UnknownKey,
    }

    [Theory]
    [InlineData(Tampering.None, HttpStatusCode.OK, null, null)]
    [InlineData(Tampering.SignedSixteenMinutesAgo, HttpStatusCode.BadRequest, "InvalidSignatureException", "Signature expired")]
    [InlineData(Tampering.SignedSixteenMinutesAhead, HttpStatusCode.BadRequest, "InvalidSignatureException", "Signature not yet current")]
    [InlineData(Tampering.BodyChanged, HttpStatusCode.BadRequest, "InvalidSignatureException", "signature")]
    [InlineData(Tampering.SignedHeaderChanged, HttpStatusCode.BadRequest, "InvalidSignatureException", "signature")]
    [InlineData(Tampering.UnknownKey, HttpStatusCode.BadRequest, "UnrecognizedClientException", "security token")]
    public async Task Requests_are_refused_with_the_AWS_error_for_what_was_changed(Tampering tampering, HttpStatusCode status, string? type, string? message)
    {
        var tenant = await cluster.CreateTenantAsync("sig");
        var key = await cluster.CreateAccessKeyAsync(tenant);
        var now = DateTime.UtcNow;
        var signedAt = tampering switch
        {
            Tampering.SignedSixteenMinutesAgo => now.AddMinutes(-16),
            Tampering.SignedSixteenMinutesAhead => now.AddMinutes(16),
            _ => now,
        };
        var keyId = tampering == Tampering.UnknownKey ? "SLUAAAAAAAAAAAAAAAAA" : key.AccessKeyId;
        using var request = SigV4TestRequest.Create(cluster.HttpEndpoint, keyId, key.SecretAccessKey, "ListStreams", "{\"Limit\":10}", signedAt);
        switch (tampering)
        {
            case Tampering.BodyChanged:
                request.Content = new StringContent("{\"Limit\":11}", Encoding.UTF8);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
                break;
            case Tampering.SignedHeaderChanged:
                request.Headers.Remove("X-Amz-Target");
                request.Headers.TryAddWithoutValidation("X-Amz-Target", "Kinesis_20131202.DescribeLimits");
                break;
        }

        var (answered, body) = await SendAsync(request);

        Assert.True(status == answered, $"expected {(int)status}, got {(int)answered}: {body?.ToJsonString()}");
        if (type is not null)
        {
            Assert.Equal(type, (string?)body?["__type"]);
            Assert.Contains(message!, (string?)body?["message"], StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Keys_disabled_or_deleted_through_the_admin_API_are_refused_at_once_and_an_enabled_key_works_again()
    {
        var tenant = await cluster.CreateTenantAsync("sigk");
        var key = await cluster.CreateAccessKeyAsync(tenant);
        using var admin = cluster.CreateHttpClient(cluster.IssueAdminToken(TimeSpan.FromHours(1)));
        var path = $"/admin/v1/tenants/{tenant.Name}/access-keys/{key.AccessKeyId}";

        // Cached by the verifier now.
        Assert.Equal(HttpStatusCode.OK, (await SignedAsync(key.AccessKeyId, key.SecretAccessKey)).Status);

        (await admin.PostAsync($"{path}/disable", null)).EnsureSuccessStatusCode();
        await WaitForAsync(key.AccessKeyId, key.SecretAccessKey, "UnrecognizedClientException");
        (await admin.PostAsync($"{path}/enable", null)).EnsureSuccessStatusCode();
        await WaitForAsync(key.AccessKeyId, key.SecretAccessKey, null);
        (await admin.DeleteAsync(path)).EnsureSuccessStatusCode();
        await WaitForAsync(key.AccessKeyId, key.SecretAccessKey, "UnrecognizedClientException");
        var (status, body) = await SignedAsync(key.AccessKeyId, key.SecretAccessKey);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("security token", (string?)body?["message"], StringComparison.Ordinal);
    }

    private async Task WaitForAsync(string keyId, string secret, string? type)
    {
        var last = "";
        await Wait.UntilAsync(async () =>
        {
            var (status, body) = await SignedAsync(keyId, secret);
            last = $"{(int)status} {body?.ToJsonString()}";
            return type is null ? status == HttpStatusCode.OK : status == HttpStatusCode.BadRequest && (string?)body?["__type"] == type;
        }, PromptTimeout, () => $"{type ?? "success"}; last answer {last}");
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> SignedAsync(string keyId, string secret)
    {
        using var request = SigV4TestRequest.Create(cluster.HttpEndpoint, keyId, secret, "ListStreams", "{}", DateTime.UtcNow);
        return await SendAsync(request);
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpRequestMessage request)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }
}
