using Sluice.Gateway.Kinesis.Auth;

namespace Sluice.Gateway.Tests.Kinesis.Auth;

/// <summary>AWS's published Signature Version 4 test suite (TestData/aws-signing-test-suite): every signed request verifies.</summary>
public sealed class SigV4TestSuiteTests
{
    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    private readonly SigV4Verifier _verifier = new(new SigV4Options { Service = "service" }, TestKeys.Immediate(TestKeys.Suite));

    public static TheoryData<string> HeaderSignedCases() =>
    [
        "get-vanilla",
        "get-vanilla-query",
        "get-header-key-duplicate",
        "get-header-value-order",
        "get-header-value-trim",
        "get-relative-normalized",
        "get-relative-relative-normalized",
        "get-slash-dot-slash-normalized",
        "get-slash-normalized",
        "get-slash-pointless-dot-normalized",
        "get-slashes-normalized",
        "get-space-normalized",
        "get-unreserved",
        "get-utf8",
        "get-vanilla-empty-query-key",
        "get-vanilla-query-order-key-case",
        "get-vanilla-query-order-encoded",
        "get-vanilla-query-unreserved",
        "get-vanilla-utf8-query",
        "get-query-plus",
        "post-vanilla",
        "post-x-www-form-urlencoded",
    ];

    public static TheoryData<string> QuerySignedCases() =>
    [
        "get-vanilla-query-order-key-case",
        "get-header-value-trim",
        "get-utf8",
        "get-vanilla-query-unreserved",
        "post-vanilla",
    ];

    [Theory]
    [MemberData(nameof(HeaderSignedCases))]
    public async Task Request_signed_in_the_authorization_header_verifies(string name)
    {
        var vector = HttpRequestText.Load("aws-signing-test-suite", name, "header-signed-request.txt");

        var result = await _verifier.VerifyAsync(vector.Request, vector.Body, SuiteTime);

        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.Equal(TestKeys.SuiteAccessKeyId, result.AccessKeyId);
        Assert.Equal(TestKeys.SuiteTenantId, result.TenantId);
        Assert.Equal("us-east-1", result.Region);
    }

    [Theory]
    [MemberData(nameof(QuerySignedCases))]
    public async Task Presigned_request_verifies(string name)
    {
        var vector = HttpRequestText.Load("aws-signing-test-suite", name, "query-signed-request.txt");

        var result = await _verifier.VerifyAsync(vector.Request, vector.Body, SuiteTime);

        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.Equal(TestKeys.SuiteTenantId, result.TenantId);
    }

    [Theory]
    [MemberData(nameof(QuerySignedCases))]
    public async Task Presigned_request_is_refused_once_x_amz_expires_has_passed(string name)
    {
        var vector = HttpRequestText.Load("aws-signing-test-suite", name, "query-signed-request.txt");

        var result = await _verifier.VerifyAsync(vector.Request, vector.Body, SuiteTime.AddSeconds(3601));

        Assert.Equal(SigV4ErrorTypes.InvalidSignature, result.Error?.Type);
        Assert.Equal("Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T133601Z - 3600 sec.)", result.Error?.Message);
    }

    [Theory]
    [MemberData(nameof(HeaderSignedCases))]
    public async Task Any_change_to_the_signature_is_refused(string name)
    {
        var vector = HttpRequestText.Load("aws-signing-test-suite", name, "header-signed-request.txt");
        var authorization = vector.Request.Headers.Authorization.ToString();
        var last = authorization[^1] == '0' ? '1' : '0';
        vector.Request.Headers.Authorization = authorization[..^1] + last;

        var result = await _verifier.VerifyAsync(vector.Request, vector.Body, SuiteTime);

        Assert.Equal(SigV4ErrorTypes.InvalidSignature, result.Error?.Type);
        Assert.StartsWith("The request signature we calculated does not match the signature you provided.", result.Error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_token_is_refused_after_the_signature_checks_out()
    {
        // Sluice has no STS: the signature of get-vanilla-with-session-token is right, the token cannot be.
        var vector = HttpRequestText.Load("aws-signing-test-suite", "get-vanilla-with-session-token", "header-signed-request.txt");

        var result = await _verifier.VerifyAsync(vector.Request, vector.Body, SuiteTime);

        Assert.Equal(SigV4ErrorTypes.UnrecognizedClient, result.Error?.Type);
        Assert.Equal("The security token included in the request is invalid", result.Error?.Message);
    }

    [Fact]
    public void Canonical_request_matches_the_suite()
    {
        var vector = HttpRequestText.Load("aws-signing-test-suite", "get-query-plus", "header-signed-request.txt");
        var expected = File.ReadAllText(HttpRequestText.TestDataPath("aws-signing-test-suite", "get-query-plus", "header-canonical-request.txt"));

        var canonical = SigV4Canonicalizer.CanonicalRequest(vector.Request, "host;x-amz-date",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

        Assert.Equal(expected.TrimEnd('\n'), canonical);
    }

    [Theory]
    [InlineData("/", "/")]
    [InlineData("", "/")]
    [InlineData("/example/..", "/")]
    [InlineData("/example1/example2/../..", "/")]
    [InlineData("/./", "/")]
    [InlineData("//", "/")]
    [InlineData("/./example", "/example")]
    [InlineData("//example//", "/example/")]
    [InlineData("/a/b/../c/", "/a/c/")]
    [InlineData("/../../x", "/x")]
    [InlineData("/example space/", "/example%20space/")]
    [InlineData("/\u1234", "/%E1%88%B4")]
    [InlineData("/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")]
    // What an SDK puts on the wire is already encoded once; the canonical URI encodes it again.
    [InlineData("/example%20space/", "/example%2520space/")]
    [InlineData("/streams/a%2Fb", "/streams/a%252Fb")]
    public void Canonical_uri_normalises_and_encodes_each_segment(string rawPath, string expected) =>
        Assert.Equal(expected, SigV4Canonicalizer.CanonicalUri(rawPath));

    [Theory]
    [InlineData("", "")]
    [InlineData("?Param2=value2&Param1=value1", "Param1=value1&Param2=value2")]
    [InlineData("Param-3=Value3&Param=Value2&%E1%88%B4=Value1", "%E1%88%B4=Value1&Param=Value2&Param-3=Value3")]
    [InlineData("c+d", "c%2Bd=")]
    [InlineData("a=2&a=1&A=3", "A=3&a=1&a=2")]
    [InlineData("k=a%20b&k2=a b", "k=a%20b&k2=a%20b")]
    [InlineData("p=&q", "p=&q=")]
    [InlineData("%zz=1", "%25zz=1")]
    [InlineData("x=1&X-Amz-Signature=abc", "X-Amz-Signature=abc&x=1")]
    public void Canonical_query_decodes_reencodes_and_sorts(string rawQuery, string expected) =>
        Assert.Equal(expected, SigV4Canonicalizer.CanonicalQueryString(rawQuery));

    [Fact]
    public void Canonical_query_of_a_presigned_request_leaves_out_the_signature() =>
        Assert.Equal("x=1", SigV4Canonicalizer.CanonicalQueryString("x=1&X-Amz-Signature=abc", excludeSignature: true));

    [Theory]
    [InlineData(new[] { "value1" }, "value1")]
    [InlineData(new[] { "  value1  " }, "value1")]
    [InlineData(new[] { "\"a   b   c\"" }, "\"a b c\"")]
    [InlineData(new[] { "a \t\r\n b" }, "a b")]
    [InlineData(new[] { "value4", "value1", "value3", "value2" }, "value4,value1,value3,value2")]
    [InlineData(new[] { " a ", " b  c " }, "a,b c")]
    public void Canonical_header_value_is_trimmed_collapsed_and_joined(string[] values, string expected) =>
        Assert.Equal(expected, SigV4Canonicalizer.CanonicalHeaderValue(values));

    [Theory]
    [InlineData("host;x-amz-date", "host;x-amz-date")]
    [InlineData("X-Amz-Date;Host", "host;x-amz-date")]
    [InlineData("x-amz-date;host;content-type", "content-type;host;x-amz-date")]
    public void Signed_headers_are_lower_cased_and_sorted(string signedHeaders, string expected) =>
        Assert.Equal(expected, SigV4Canonicalizer.NormalizeSignedHeaders(signedHeaders));
}
