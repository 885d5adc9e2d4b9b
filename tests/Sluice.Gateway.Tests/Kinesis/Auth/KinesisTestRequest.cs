using System.Text;
using Microsoft.AspNetCore.Http;
using Sluice.Gateway.Kinesis.Auth;

namespace Sluice.Gateway.Tests.Kinesis.Auth;

/// <summary>A Kinesis JSON request as an AWS SDK sends it, signed by <see cref="TestSigner"/>.</summary>
internal sealed class KinesisTestRequest
{
    public const string AccessKeyId = "SLUTESTKEY0000000001";
    public const string Secret = "k1xW3Y2+z9Q/abcdefghijklmnopqrstuvwxYZ01";
    public const string Region = "eu-west-1";
    public const string SignedHeaders = "content-type;host;x-amz-date;x-amz-target";
    public static readonly Guid TenantId = Guid.Parse("0193a7e4-0000-7000-8000-000000000001");

    public KinesisTestRequest(DateTimeOffset time, string body = """{"StreamName":"clicks","Data":"aGVsbG8=","PartitionKey":"user-1"}""")
    {
        AmzDate = TestSigner.AmzDate(time);
        Body = Encoding.UTF8.GetBytes(body);
        Headers["Host"] = "kinesis.sluice.example";
        Headers["Content-Type"] = "application/x-amz-json-1.1";
        Headers["X-Amz-Target"] = "Kinesis_20131202.PutRecord";
        Headers["X-Amz-Date"] = AmzDate;
        Headers["User-Agent"] = "aws-sdk-test/1.0";
    }

    public string Method { get; set; } = "POST";

    public string Path { get; set; } = "/";

    public string Query { get; set; } = "";

    public string AmzDate { get; }

    public IHeaderDictionary Headers { get; } = new HeaderDictionary();

    public byte[] Body { get; set; }

    public SigV4Request Request => new(Method, Path, Query, Headers);

    /// <summary>Signs the request as it stands now and sets its Authorization header.</summary>
    public KinesisTestRequest Sign(string signedHeaders = SignedHeaders, string secret = Secret, string accessKeyId = AccessKeyId,
        string region = Region, string service = "kinesis", string? scopeDate = null, string? payloadHash = null)
    {
        Headers.Authorization = TestSigner.Authorization(Method, Path, Query, Headers, Body, signedHeaders, accessKeyId, secret,
            region, service, AmzDate, scopeDate, payloadHash);
        return this;
    }
}
