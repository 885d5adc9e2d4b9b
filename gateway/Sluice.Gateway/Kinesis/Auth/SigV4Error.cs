namespace Sluice.Gateway.Kinesis.Auth;

/// <summary>
/// Why a request failed authentication, in Kinesis's own terms: the response is HTTP
/// <see cref="StatusCode"/> with body <c>{"__type": Type, "message": Message}</c>.
/// </summary>
/// <param name="Type">One of <see cref="SigV4ErrorTypes"/>.</param>
/// <param name="Message">AWS's message for the case (never containing a secret).</param>
/// <param name="StatusCode">The HTTP status Kinesis uses: 400 for all of them on the JSON protocol.</param>
/// <param name="IsClockSkew">
/// True when the request's time is outside the allowed skew. The response must then carry a
/// <c>Date</c> header (Kestrel sends one by default): SDKs compute their clock offset from it.
/// </param>
public sealed record SigV4Error(string Type, string Message, int StatusCode = SigV4Error.BadRequest, bool IsClockSkew = false)
{
    /// <summary>HTTP 400, which Kinesis answers every authentication failure with on the JSON protocol.</summary>
    public const int BadRequest = 400;
}
