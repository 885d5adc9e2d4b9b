namespace Sluice.Gateway.Kinesis.Auth;

/// <summary>
/// The parts of an HTTP request a SigV4 signature covers, as they arrived.
/// </summary>
/// <param name="Method">The HTTP method, e.g. <c>POST</c>.</param>
/// <param name="RawPath">
/// The path exactly as on the wire, still percent-encoded (in ASP.NET Core the path part of
/// <c>IHttpRequestFeature.RawTarget</c>, not the decoded <c>HttpRequest.Path</c>).
/// </param>
/// <param name="RawQuery">The query string as on the wire, with or without its leading '?'; empty when none.</param>
/// <param name="Headers">
/// The request headers. Under HTTP/2 Kestrel exposes <c>:authority</c> as <c>Host</c>; either is
/// used for a signed <c>host</c> or <c>:authority</c>.
/// </param>
public readonly record struct SigV4Request(string Method, string RawPath, string RawQuery, IHeaderDictionary Headers);
