using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Sluice.Gateway.Kinesis.Auth;

namespace Sluice.Gateway.Tests.Kinesis.Auth;

/// <summary>
/// Kinesis requests signed by botocore, the signer of the AWS CLI and boto3: an implementation that
/// shares nothing with Sluice's. TestData/botocore/make_fixtures.py wrote them.
/// </summary>
public sealed class BotocoreSignedRequestTests
{
    public static TheoryData<string> Fixtures() => ["put-record-http", "list-streams-https"];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Request_signed_by_botocore_verifies(string name)
    {
        var fixture = BotocoreFixture.Load(name);

        var result = await fixture.Verifier().VerifyAsync(fixture.Request(), fixture.Body, fixture.Time);

        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.Equal(fixture.AccessKeyId, result.AccessKeyId);
        Assert.Equal(fixture.Region, result.Region);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Request_signed_by_botocore_with_its_body_changed_is_refused(string name)
    {
        var fixture = BotocoreFixture.Load(name);
        var body = fixture.Body.ToArray();
        body[^2] ^= 1;

        var result = await fixture.Verifier().VerifyAsync(fixture.Request(), body, fixture.Time);

        Assert.Equal(SigV4ErrorTypes.InvalidSignature, result.Error?.Type);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Request_signed_by_botocore_with_another_operation_is_refused(string name)
    {
        var fixture = BotocoreFixture.Load(name);
        var request = fixture.Request();
        request.Headers["X-Amz-Target"] = "Kinesis_20131202.DeleteStream";

        var result = await fixture.Verifier().VerifyAsync(request, fixture.Body, fixture.Time);

        Assert.Equal(SigV4ErrorTypes.InvalidSignature, result.Error?.Type);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Request_signed_by_botocore_replayed_sixteen_minutes_later_is_expired(string name)
    {
        var fixture = BotocoreFixture.Load(name);

        var result = await fixture.Verifier().VerifyAsync(fixture.Request(), fixture.Body, fixture.Time.AddMinutes(16));

        Assert.True(result.Error?.IsClockSkew);
        Assert.StartsWith("Signature expired: ", result.Error?.Message, StringComparison.Ordinal);
    }

    private sealed record BotocoreFixture(string AccessKeyId, string Secret, string Region, string Method, string RawPath, string RawQuery,
        string[][] Headers, byte[] Body, DateTimeOffset Time)
    {
        public static BotocoreFixture Load(string name)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(HttpRequestText.TestDataPath("botocore", name + ".json")));
            var root = json.RootElement;
            string Get(string property) => root.GetProperty(property).GetString()!;
            return new BotocoreFixture(Get("accessKeyId"), Get("secretAccessKey"), Get("region"), Get("method"), Get("rawPath"), Get("rawQuery"),
                root.GetProperty("headers").Deserialize<string[][]>()!, Encoding.UTF8.GetBytes(Get("body")),
                DateTimeOffset.ParseExact(Get("time"), TestSigner.AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
        }

        public SigV4Request Request()
        {
            var headers = new HeaderDictionary();
            foreach (var header in Headers)
            {
                headers.Append(header[0], header[1]);
            }

            return new SigV4Request(Method, RawPath, RawQuery, headers);
        }

        public SigV4Verifier Verifier() =>
            new(SigV4Options.Default, TestKeys.Immediate(new SigV4Key(AccessKeyId, Guid.NewGuid(), Secret)));
    }
}
