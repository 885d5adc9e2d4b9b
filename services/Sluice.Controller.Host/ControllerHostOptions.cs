using System.ComponentModel.DataAnnotations;

namespace Sluice.Controller.Host;

/// <summary>The standalone controller host's listener and start-up, bound from <c>Sluice:ControllerHost</c>.</summary>
public sealed record ControllerHostOptions
{
    public const string Section = "Sluice:ControllerHost";

    /// <summary>Interface of the HTTP listener.</summary>
    public string ListenAddress { get; init; } = "127.0.0.1";

    /// <summary>Port of the HTTP/1.1 listener for /healthz, /readyz and /controller.</summary>
    [Range(1, 65535)]
    public int HttpPort { get; init; } = 9300;

    /// <summary>How long the host waits for PostgreSQL at start-up.</summary>
    public TimeSpan StartupWait { get; init; } = TimeSpan.FromSeconds(60);
}
