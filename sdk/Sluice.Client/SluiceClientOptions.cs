namespace Sluice.Client;

/// <summary>
/// Settings of a <see cref="SluiceClient"/>: where the gateway's gRPC endpoint is and how to
/// authenticate. Immutable; derive variants with <c>with</c>.
/// </summary>
public sealed record SluiceClientOptions
{
    /// <summary>The environment variable that names the gRPC endpoint (<c>http://host:port</c>).</summary>
    public const string EndpointVariable = "SLUICE_GRPC";

    /// <summary>The environment variable that holds the bearer token.</summary>
    public const string TokenVariable = "SLUICE_TOKEN";

    /// <summary>The environment variable that names a PEM file of root certificates to trust (<see cref="CaCertificatePath"/>).</summary>
    public const string CaCertificateVariable = "SLUICE_TLS_CA";

    /// <summary>The options every property of which has its default value.</summary>
    public static SluiceClientOptions Default { get; } = new();

    /// <summary>
    /// The gateway's gRPC endpoint. <c>http://</c> speaks HTTP/2 without TLS (h2c),
    /// <c>https://</c> with TLS. Defaults to <c>http://127.0.0.1:8081</c>.
    /// </summary>
    public Uri Endpoint { get; init; } = new("http://127.0.0.1:8081");

    /// <summary>
    /// The bearer token (a JWT that names the tenant) sent as <c>authorization: Bearer …</c> on
    /// every call, or <see langword="null"/> to send none (every call then fails with
    /// <c>UNAUTHENTICATED</c> on a gateway that requires authentication).
    /// </summary>
    public string? Token { get; init; }

    /// <summary>
    /// A PEM file of root certificates that an <c>https://</c> <see cref="Endpoint"/>'s certificate must chain to,
    /// instead of the system's trusted roots: a private CA, or the self-signed certificate of a development gateway
    /// (<c>Sluice.Gateway tls-cert</c>). The host name is checked either way. <see langword="null"/> (the default)
    /// uses the system roots.
    /// </summary>
    public string? CaCertificatePath { get; init; }

    /// <summary>
    /// The deadline given to a call that has none of its own. Defaults to 30 seconds; must be
    /// longer than the longest long-poll (<c>max_wait_ms</c>, at most 10 seconds).
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reads the options from the process environment: <c>SLUICE_GRPC</c> for
    /// <see cref="Endpoint"/>, <c>SLUICE_TOKEN</c> for <see cref="Token"/> and <c>SLUICE_TLS_CA</c> for
    /// <see cref="CaCertificatePath"/>. A variable that is
    /// not set leaves the default.
    /// </summary>
    /// <exception cref="FormatException"><c>SLUICE_GRPC</c> is not an absolute http(s) URI or host:port.</exception>
    public static SluiceClientOptions FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>
    /// Reads the options through <paramref name="getVariable"/> (for hosts and tests that keep
    /// their own environment): <c>SLUICE_GRPC</c> and <c>SLUICE_TOKEN</c>.
    /// </summary>
    /// <param name="getVariable">Returns the value of a variable, or <see langword="null"/> when it is not set.</param>
    /// <exception cref="FormatException"><c>SLUICE_GRPC</c> is not an absolute http(s) URI or host:port.</exception>
    public static SluiceClientOptions FromEnvironment(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        var options = Default;
        var endpoint = getVariable(EndpointVariable);
        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            options = options with { Endpoint = ParseEndpoint(endpoint) };
        }

        var token = getVariable(TokenVariable);
        if (!string.IsNullOrWhiteSpace(token))
        {
            options = options with { Token = token.Trim() };
        }

        var ca = getVariable(CaCertificateVariable);
        if (!string.IsNullOrWhiteSpace(ca))
        {
            options = options with { CaCertificatePath = ca.Trim() };
        }

        return options;
    }

    /// <summary>
    /// Parses an endpoint given as an absolute <c>http://</c> or <c>https://</c> URI, or as a bare
    /// <c>host:port</c> (taken as <c>http://host:port</c>).
    /// </summary>
    /// <param name="value">The text to parse.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="FormatException"><paramref name="value"/> is neither form.</exception>
    public static Uri ParseEndpoint(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "http://" + text;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && !string.IsNullOrEmpty(uri.Host))
        {
            return uri;
        }

        throw new FormatException($"'{value}' is not an endpoint: expected http://host:port, https://host:port or host:port.");
    }
}
