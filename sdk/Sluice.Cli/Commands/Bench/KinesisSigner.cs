using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Cli.Commands.Bench;

/// <summary>
/// Signs Kinesis JSON requests with AWS Signature Version 4 (header form), as the AWS SDKs do,
/// with credentials from the standard AWS environment variables.
/// </summary>
internal sealed class KinesisSigner(string accessKeyId, string secretAccessKey, string region)
{
    public const string Service = "kinesis";
    private const string SignedHeaders = "content-type;host;x-amz-date;x-amz-target";

    private readonly Lock _lock = new();
    private string _keyDate = string.Empty;
    private byte[] _signingKey = [];

    public string Region { get; } = region;

    /// <summary>From AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION (default us-east-1).</summary>
    public static KinesisSigner FromEnvironment(CliContext context)
    {
        var id = context.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        var secret = context.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(secret))
        {
            throw new CliException("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the dev cluster writes them to .data/dev.env)");
        }

        var region = context.GetEnvironmentVariable("AWS_REGION") ?? context.GetEnvironmentVariable("AWS_DEFAULT_REGION");
        return new KinesisSigner(id.Trim(), secret.Trim(), string.IsNullOrWhiteSpace(region) ? "us-east-1" : region.Trim());
    }

    /// <summary>Adds X-Amz-Date and Authorization to a request to <c>/</c> carrying <paramref name="body"/>.</summary>
    public void Sign(HttpRequestMessage request, string host, string target, string contentType, ReadOnlySpan<byte> body)
    {
        var now = DateTime.UtcNow;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        Span<byte> bodyHash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, bodyHash);
        var canonical = $"POST\n/\n\ncontent-type:{contentType}\nhost:{host}\nx-amz-date:{amzDate}\nx-amz-target:{target}\n\n{SignedHeaders}\n{Convert.ToHexStringLower(bodyHash)}";
        var scope = $"{date}/{Region}/{Service}/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(SigningKey(date), Encoding.UTF8.GetBytes(toSign)));
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={SignedHeaders}, Signature={signature}");
    }

    // The key depends only on the day: derived once per day, not per request.
    private byte[] SigningKey(string date)
    {
        lock (_lock)
        {
            if (_keyDate != date)
            {
                var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
                key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Region));
                key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Service));
                _signingKey = HMACSHA256.HashData(key, "aws4_request"u8);
                _keyDate = date;
            }

            return _signingKey;
        }
    }
}
