using System.Security.Cryptography;
using System.Text;
using Sluice.Gateway.Kinesis.Auth;

namespace Sluice.Gateway.Tests.Kinesis.Auth;

/// <summary>Kinesis-shaped requests through <see cref="SigV4Verifier"/>: what passes, and the exact error for what does not.</summary>
public sealed class SigV4VerifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 30, 0, TimeSpan.Zero);

    private readonly SigV4Verifier _verifier = new(SigV4Options.Default, TestKeys.Immediate(TestKeys.Kinesis));

    [Fact]
    public async Task Signed_kinesis_request_is_accepted_with_its_key_tenant_and_region()
    {
        var request = new KinesisTestRequest(Now).Sign();

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.Equal(KinesisTestRequest.AccessKeyId, result.AccessKeyId);
        Assert.Equal(KinesisTestRequest.TenantId, result.TenantId);
        Assert.Equal(KinesisTestRequest.Region, result.Region);
        Assert.Null(result.Error);
    }

    [Fact]
    public async Task Key_lookup_that_completes_later_gives_the_same_answer()
    {
        var verifier = new SigV4Verifier(SigV4Options.Default, TestKeys.Deferred(TestKeys.Kinesis));
        var good = new KinesisTestRequest(Now).Sign();
        var bad = new KinesisTestRequest(Now).Sign(secret: "not-the-secret");

        var accepted = await verifier.VerifyAsync(good.Request, good.Body, Now);
        var refused = await verifier.VerifyAsync(bad.Request, bad.Body, Now);

        Assert.True(accepted.Succeeded, accepted.Error?.Message);
        Assert.Equal(SigV4ErrorTypes.InvalidSignature, refused.Error?.Type);
    }

    [Fact]
    public async Task Verification_with_a_precomputed_body_hash_matches_verification_with_the_body()
    {
        var request = new KinesisTestRequest(Now).Sign();

        var result = await _verifier.VerifyWithPayloadHashAsync(request.Request, SHA256.HashData(request.Body), Now);
        var tampered = await _verifier.VerifyWithPayloadHashAsync(request.Request, SHA256.HashData("{}"u8), Now);

        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.Equal(SigV4ErrorTypes.InvalidSignature, tampered.Error?.Type);
    }

    [Fact]
    public async Task Http2_request_carrying_authority_instead_of_host_verifies_a_signed_host()
    {
        var request = new KinesisTestRequest(Now);
        request.Headers.Remove("Host");
        request.Headers[":authority"] = "kinesis.sluice.example:8443";
        request.Sign();

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.True(result.Succeeded, result.Error?.Message);
    }

    [Fact]
    public async Task Http2_request_whose_signed_headers_list_authority_verifies_against_host()
    {
        // Kestrel hands HTTP/2's :authority over as Host; a client that signed ":authority" signed that value.
        var request = new KinesisTestRequest(Now);
        request.Headers["Host"] = "kinesis.sluice.example:8443";
        request.Sign(signedHeaders: ":authority;content-type;x-amz-date;x-amz-target");

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.True(result.Succeeded, result.Error?.Message);
    }

    [Fact]
    public async Task Tampered_body_is_refused_with_the_canonical_request_aws_would_show()
    {
        var request = new KinesisTestRequest(Now).Sign();
        request.Body = Encoding.UTF8.GetBytes("""{"StreamName":"clicks","Data":"ZXZpbA==","PartitionKey":"user-1"}""");

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        var error = Assert.IsType<SigV4Error>(result.Error);
        Assert.Equal(SigV4ErrorTypes.InvalidSignature, error.Type);
        Assert.Equal(400, error.StatusCode);
        Assert.False(error.IsClockSkew);
        var bodyHash = Convert.ToHexStringLower(SHA256.HashData(request.Body));
        Assert.Equal(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. "
            + "Consult the service documentation for details.\n\n"
            + "The Canonical String for this request should have been\n'POST\n/\n\n"
            + "content-type:application/x-amz-json-1.1\nhost:kinesis.sluice.example\nx-amz-date:20261125T103000Z\nx-amz-target:Kinesis_20131202.PutRecord\n\n"
            + $"content-type;host;x-amz-date;x-amz-target\n{bodyHash}'\n\n"
            + "The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20261125T103000Z\n20261125/eu-west-1/kinesis/aws4_request\n"
            + $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(SigV4Canonicalizer.CanonicalRequest(request.Request, KinesisTestRequest.SignedHeaders, bodyHash))))}'\n",
            error.Message);
    }

    [Fact]
    public async Task Tampered_signed_header_is_refused()
    {
        var request = new KinesisTestRequest(Now).Sign();
        request.Headers["X-Amz-Target"] = "Kinesis_20131202.DeleteStream";

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(SigV4ErrorTypes.InvalidSignature, result.Error?.Type);
        Assert.Contains("\nx-amz-target:Kinesis_20131202.DeleteStream\n", result.Error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsigned_header_may_change_in_transit()
    {
        var request = new KinesisTestRequest(Now).Sign();
        request.Headers["User-Agent"] = "a proxy rewrote this";
        request.Headers["X-Forwarded-For"] = "10.0.0.1";

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.True(result.Succeeded, result.Error?.Message);
    }

    [Fact]
    public async Task Signed_header_missing_from_the_request_is_refused_and_shown_empty()
    {
        var request = new KinesisTestRequest(Now).Sign();
        request.Headers.Remove("X-Amz-Target");

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(SigV4ErrorTypes.InvalidSignature, result.Error?.Type);
        Assert.Contains("\nx-amz-target:\n\n", result.Error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_secret_is_refused()
    {
        var request = new KinesisTestRequest(Now).Sign(secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(SigV4ErrorTypes.InvalidSignature, result.Error?.Type);
    }

    [Theory]
    [InlineData("SLUNOSUCHKEY00000000")]
    [InlineData("AKIDEXAMPLE")]
    public async Task Unknown_key_is_an_unrecognized_client(string accessKeyId)
    {
        var request = new KinesisTestRequest(Now).Sign(accessKeyId: accessKeyId);

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.UnrecognizedClient, "The security token included in the request is invalid."), result.Error);
    }

    [Theory]
    [InlineData(-14 * 60)]
    [InlineData(14 * 60)]
    [InlineData(-15 * 60)]
    [InlineData(15 * 60)]
    public async Task Clock_skew_within_fifteen_minutes_is_accepted(int requestOffsetSeconds)
    {
        var request = new KinesisTestRequest(Now.AddSeconds(requestOffsetSeconds)).Sign();

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.True(result.Succeeded, result.Error?.Message);
    }

    [Fact]
    public async Task Request_sixteen_minutes_old_is_expired_as_kinesis_says_it()
    {
        var request = new KinesisTestRequest(Now.AddMinutes(-16)).Sign();

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.InvalidSignature,
            "Signature expired: 20261125T101400Z is now earlier than 20261125T101500Z (20261125T103000Z - 15 min.)", 400, IsClockSkew: true), result.Error);
    }

    [Fact]
    public async Task Request_sixteen_minutes_ahead_is_not_yet_current()
    {
        var request = new KinesisTestRequest(Now.AddMinutes(16)).Sign();

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.InvalidSignature,
            "Signature not yet current: 20261125T104600Z is still later than 20261125T104500Z (20261125T103000Z + 15 min.)", 400, IsClockSkew: true), result.Error);
    }

    [Fact]
    public async Task Clock_skew_is_checked_before_the_key_so_an_sdk_can_correct_it_without_valid_credentials()
    {
        var request = new KinesisTestRequest(Now.AddHours(-2)).Sign(accessKeyId: "SLUNOSUCHKEY00000000");

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.True(result.Error?.IsClockSkew);
    }

    [Fact]
    public async Task Request_without_any_authentication_is_missing_its_token()
    {
        var request = new KinesisTestRequest(Now);

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.MissingAuthenticationToken, "Missing Authentication Token", 400), result.Error);
    }

    [Theory]
    // Kinesis lists every missing part, then echoes the header (messages as kinesalite records them).
    [InlineData("X",
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. "
        + "Authorization header requires 'SignedHeaders' parameter. Authorization=X")]
    [InlineData("AWS4- Signature=b Credential=a",
        "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b Credential=a")]
    [InlineData("AWS4- Signature=b,Credential=a",
        "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b,Credential=a")]
    [InlineData("AWS4- Signature=b, Credential=a",
        "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b, Credential=a")]
    [InlineData("AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=0123",
        "Authorization header requires 'Credential' parameter. Authorization=AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=0123")]
    [InlineData("AWS4-HMAC-SHA256 Credential=SLUTESTKEY0000000001/20261125/eu-west-1/kinesis/aws4_request, SignedHeaders=host",
        "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=SLUTESTKEY0000000001/20261125/eu-west-1/kinesis/aws4_request, SignedHeaders=host")]
    [InlineData("AWS4-HMAC-SHA256 Credential=SLUTESTKEY0000000001/20261125/eu-west-1/kinesis/aws4_request, SignedHeaders=, Signature=0123",
        "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=SLUTESTKEY0000000001/20261125/eu-west-1/kinesis/aws4_request, SignedHeaders=, Signature=0123")]
    public async Task Incomplete_authorization_header_names_each_missing_part(string authorization, string message)
    {
        var request = new KinesisTestRequest(Now);
        request.Headers.Authorization = authorization;

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.IncompleteSignature, message), result.Error);
    }

    [Fact]
    public async Task Missing_date_is_named_too()
    {
        var request = new KinesisTestRequest(Now);
        request.Headers.Remove("X-Amz-Date");
        request.Headers.Authorization = "X";

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.IncompleteSignature,
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. "
            + "Authorization header requires 'SignedHeaders' parameter. "
            + "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=X"), result.Error);
    }

    [Theory]
    [InlineData("2026")]
    [InlineData("2026-11-25T10:30:00Z")]
    [InlineData("20261125T103000")]
    public async Task Malformed_date_is_incomplete(string amzDate)
    {
        var request = new KinesisTestRequest(Now).Sign();
        request.Headers["X-Amz-Date"] = amzDate;

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.IncompleteSignature,
            $"Date must be in ISO-8601 'basic format'. Got '{amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601"), result.Error);
    }

    [Fact]
    public async Task Http_date_header_may_stand_in_for_x_amz_date()
    {
        var request = new KinesisTestRequest(Now);
        request.Headers.Remove("X-Amz-Date");
        request.Headers.Date = "Wed, 25 Nov 2026 10:30:00 GMT";
        // The string to sign carries the time in the basic format whatever header it came from.
        request.Headers.Authorization = TestSigner.Authorization(request.Method, request.Path, request.Query, request.Headers, request.Body,
            "content-type;date;host;x-amz-target", KinesisTestRequest.AccessKeyId, KinesisTestRequest.Secret, KinesisTestRequest.Region,
            "kinesis", "20261125T103000Z");

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.True(result.Succeeded, result.Error?.Message);
    }

    [Fact]
    public async Task Unsupported_algorithm_is_incomplete()
    {
        var request = new KinesisTestRequest(Now).Sign();
        request.Headers.Authorization = request.Headers.Authorization.ToString().Replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", StringComparison.Ordinal);

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.IncompleteSignature,
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "), result.Error);
    }

    [Theory]
    [InlineData("a/b/c/d")]
    [InlineData("SLUTESTKEY0000000001/20261125/eu-west-1/kinesis/aws4_request/extra")]
    [InlineData("SLUTESTKEY0000000001")]
    public async Task Credential_without_five_elements_is_incomplete(string credential)
    {
        var request = new KinesisTestRequest(Now);
        request.Headers.Authorization = $"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={KinesisTestRequest.SignedHeaders}, Signature=00";

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.IncompleteSignature,
            $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"), result.Error);
    }

    [Fact]
    public async Task Trailing_slashes_of_the_credential_are_ignored()
    {
        var request = new KinesisTestRequest(Now).Sign();
        request.Headers.Authorization = request.Headers.Authorization.ToString().Replace("aws4_request,", "aws4_request//,", StringComparison.Ordinal);

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.True(result.Succeeded, result.Error?.Message);
    }

    [Fact]
    public async Task Credential_scope_dated_another_day_than_x_amz_date_is_invalid()
    {
        var request = new KinesisTestRequest(Now).Sign(scopeDate: "20261124");

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.InvalidSignature,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261124' != '20261125', from '20261125T103000Z'."),
            result.Error);
    }

    [Fact]
    public async Task Credential_scoped_to_another_service_is_invalid()
    {
        var request = new KinesisTestRequest(Now).Sign(service: "dynamodb");

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.InvalidSignature, "Credential should be scoped to correct service: 'kinesis'. "), result.Error);
    }

    [Fact]
    public async Task Every_wrong_scope_element_is_reported_at_once()
    {
        var request = new KinesisTestRequest(Now);
        request.Headers.Authorization = $"AWS4-HMAC-SHA256 Credential=a/b/C/d/e, SignedHeaders={KinesisTestRequest.SignedHeaders}, Signature=00";

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.InvalidSignature,
            "Credential should be scoped to a valid region, not 'C'. Credential should be scoped to correct service: 'kinesis'. "
            + "Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. "
            + "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'b' != '20261125', from '20261125T103000Z'."),
            result.Error);
    }

    [Fact]
    public async Task Region_outside_the_configured_ones_is_invalid()
    {
        var verifier = new SigV4Verifier(new SigV4Options { Regions = ["us-east-1", "eu-central-1"] }, TestKeys.Immediate(TestKeys.Kinesis));
        var request = new KinesisTestRequest(Now).Sign();

        var result = await verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.InvalidSignature, "Credential should be scoped to a valid region, not 'eu-west-1'. "), result.Error);
    }

    [Fact]
    public async Task Host_must_be_signed()
    {
        var request = new KinesisTestRequest(Now).Sign(signedHeaders: "content-type;x-amz-date;x-amz-target");

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.InvalidSignature, "'Host' must be a 'SignedHeader' in the AWS Authorization."), result.Error);
    }

    [Theory]
    // What real SDKs send differs in spacing and order; all of it is the same signature.
    [InlineData("AWS4-HMAC-SHA256 Credential={0},SignedHeaders={1},Signature={2}")]
    [InlineData("AWS4-HMAC-SHA256 Signature={2}, Credential={0}, SignedHeaders={1}")]
    [InlineData("  AWS4-HMAC-SHA256   Credential={0} ,  SignedHeaders={1} ,Signature={2}  ")]
    [InlineData("AWS4-HMAC-SHA256 Credential={0}, SignedHeaders={1}, Signature={2}")]
    public async Task Authorization_header_layout_variations_are_accepted(string layout)
    {
        var request = new KinesisTestRequest(Now).Sign();
        var signature = TestSigner.Signature(request.Method, request.Path, request.Query, request.Headers, request.Body, KinesisTestRequest.SignedHeaders,
            KinesisTestRequest.Secret, KinesisTestRequest.Region, "kinesis", request.AmzDate);
        request.Headers.Authorization = string.Format(System.Globalization.CultureInfo.InvariantCulture, layout,
            $"{KinesisTestRequest.AccessKeyId}/20261125/{KinesisTestRequest.Region}/kinesis/aws4_request", KinesisTestRequest.SignedHeaders, signature);

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.True(result.Succeeded, result.Error?.Message);
    }

    [Fact]
    public async Task Signature_of_the_wrong_length_is_refused_as_a_mismatch()
    {
        var request = new KinesisTestRequest(Now).Sign();
        request.Headers.Authorization = request.Headers.Authorization.ToString()[..^2];

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(SigV4ErrorTypes.InvalidSignature, result.Error?.Type);
    }

    [Fact]
    public async Task Declared_body_hash_that_matches_the_body_is_accepted()
    {
        var request = new KinesisTestRequest(Now);
        request.Headers["X-Amz-Content-Sha256"] = Convert.ToHexStringLower(SHA256.HashData(request.Body));
        request.Sign(signedHeaders: "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target");

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.True(result.Succeeded, result.Error?.Message);
    }

    [Fact]
    public async Task Declared_body_hash_that_does_not_match_the_body_is_refused()
    {
        // Signed correctly over the declared hash, but the body is another one.
        var request = new KinesisTestRequest(Now);
        var declared = Convert.ToHexStringLower(SHA256.HashData(request.Body));
        request.Headers["X-Amz-Content-Sha256"] = declared;
        request.Body = "{}"u8.ToArray();
        request.Sign(signedHeaders: "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target", payloadHash: declared);

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.InvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed."), result.Error);
    }

    [Fact]
    public async Task Unsigned_payload_is_refused_by_default_and_leaves_the_body_out_when_allowed()
    {
        var request = new KinesisTestRequest(Now);
        request.Headers["X-Amz-Content-Sha256"] = "UNSIGNED-PAYLOAD";
        request.Sign(signedHeaders: "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target", payloadHash: "UNSIGNED-PAYLOAD");
        request.Body = "anything"u8.ToArray();
        var permissive = new SigV4Verifier(new SigV4Options { AllowUnsignedPayload = true }, TestKeys.Immediate(TestKeys.Kinesis));

        var result = await permissive.VerifyAsync(request.Request, request.Body, Now);
        var refused = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.Equal(SigV4ErrorTypes.InvalidSignature, refused.Error?.Type);
        Assert.Contains("UNSIGNED-PAYLOAD", refused.Error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_declared_body_hash_is_refused()
    {
        var request = new KinesisTestRequest(Now);
        request.Headers["X-Amz-Content-Sha256"] = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
        request.Sign();

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.InvalidSignature,
            "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or the hex SHA-256 of the body; got 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'."), result.Error);
    }

    [Fact]
    public async Task Header_and_query_authentication_together_are_invalid()
    {
        var request = new KinesisTestRequest(Now) { Query = "X-Amz-Algorithm" };
        request.Headers.Authorization = "X";

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.InvalidSignature,
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."), result.Error);
    }

    [Fact]
    public async Task Query_authentication_without_its_algorithm_is_no_authentication()
    {
        var request = new KinesisTestRequest(Now) { Query = "X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=c&X-Amz-Date=d" };

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(SigV4ErrorTypes.MissingAuthenticationToken, result.Error?.Type);
    }

    [Fact]
    public async Task Incomplete_query_authentication_names_each_missing_parameter()
    {
        var request = new KinesisTestRequest(Now) { Query = "X-Amz-Algorithm" };

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.IncompleteSignature,
            "AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Credential'. "
            + "AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
            + "AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."), result.Error);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("604801")]
    [InlineData("soon")]
    public async Task Presigned_expiry_out_of_range_is_incomplete(string expires)
    {
        var request = new KinesisTestRequest(Now)
        {
            Query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=SLUTESTKEY0000000001%2F20261125%2Feu-west-1%2Fkinesis%2Faws4_request"
                + $"&X-Amz-Date=20261125T103000Z&X-Amz-SignedHeaders=host&X-Amz-Expires={expires}&X-Amz-Signature=00",
        };

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.IncompleteSignature,
            $"X-Amz-Expires must be a whole number of seconds from 1 to 604800; got '{expires}'."), result.Error);
    }

    [Fact]
    public async Task Session_token_is_unrecognized()
    {
        var request = new KinesisTestRequest(Now);
        request.Headers["X-Amz-Security-Token"] = "FQoGZXIvYXdzE";
        request.Sign(signedHeaders: "content-type;host;x-amz-date;x-amz-security-token;x-amz-target");

        var result = await _verifier.VerifyAsync(request.Request, request.Body, Now);

        Assert.Equal(new SigV4Error(SigV4ErrorTypes.UnrecognizedClient, "The security token included in the request is invalid"), result.Error);
    }

    [Fact]
    public void Resolved_key_never_prints_its_secret() =>
        Assert.DoesNotContain(KinesisTestRequest.Secret, TestKeys.Kinesis.ToString(), StringComparison.Ordinal);

    [Fact]
    public async Task Key_store_failure_propagates_to_the_caller()
    {
        var verifier = new SigV4Verifier(SigV4Options.Default, (_, _) => ValueTask.FromException<SigV4Key?>(new TimeoutException("metadata down")));
        var request = new KinesisTestRequest(Now).Sign();

        await Assert.ThrowsAsync<TimeoutException>(async () => await verifier.VerifyAsync(request.Request, request.Body, Now));
    }

    [Fact]
    public void Options_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SigV4Options { Service = "" }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SigV4Options { MaxClockSkew = TimeSpan.Zero }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SigV4Options { Regions = ["EU_WEST"] }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SigV4Options { MaxCachedSigningKeys = 0 }.Validate());
    }
}
