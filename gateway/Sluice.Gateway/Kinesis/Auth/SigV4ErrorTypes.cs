namespace Sluice.Gateway.Kinesis.Auth;

/// <summary>
/// The <c>__type</c> values Kinesis answers authentication failures with (Kinesis puts no
/// <c>com.amazon.coral.service#</c> prefix on them). All are HTTP 400 on the JSON protocol.
/// </summary>
public static class SigV4ErrorTypes
{
    /// <summary>No Authorization header and no X-Amz-Algorithm query parameter.</summary>
    public const string MissingAuthenticationToken = "MissingAuthenticationTokenException";

    /// <summary>Authentication present but a required part is missing or malformed.</summary>
    public const string IncompleteSignature = "IncompleteSignatureException";

    /// <summary>
    /// Wrong signature, wrong credential scope, or a clock too far off (then
    /// <see cref="SigV4Error.IsClockSkew"/> is set). AWS SDKs treat this type as a clock-skew error
    /// and correct their clock from the response's Date header before retrying.
    /// </summary>
    public const string InvalidSignature = "InvalidSignatureException";

    /// <summary>The access key id is unknown or disabled, or a session token was sent.</summary>
    public const string UnrecognizedClient = "UnrecognizedClientException";
}
