using System.Net;
using System.Net.Sockets;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>Where the repository, the built hosts and the test PostgreSQL are.</summary>
internal static class TestEnvironment
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    public static string RepositoryRoot => Root.Value;

    /// <summary>Release or Debug: whatever this test assembly was built as.</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    public static string StorageNodeDll => HostDll("storage-nodes/Sluice.StorageNode", "Sluice.StorageNode.dll");

    public static string GatewayDll => HostDll("gateway/Sluice.Gateway", "Sluice.Gateway.dll");

    public static string ControllerHostDll => HostDll("services/Sluice.Controller.Host", "Sluice.Controller.Host.dll");

    /// <summary>
    /// Connection string of the PostgreSQL server the tests use (tests/run.sh starts one and sets
    /// SLUICE_TEST_PG); each fixture creates its own database on it.
    /// </summary>
    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("SLUICE_TEST_PG")
        ?? throw new InvalidOperationException("SLUICE_TEST_PG is not set: run the suite with ./tests/run.sh, which starts PostgreSQL for it.");

    /// <summary>The test Redis (host:port; tests/run.sh starts one and sets SLUICE_TEST_REDIS), or null without one.</summary>
    public static string? RedisEndpoint => Environment.GetEnvironmentVariable("SLUICE_TEST_REDIS") is { Length: > 0 } redis ? redis : null;

    private static readonly HashSet<int> GivenPorts = [];

    /// <summary>
    /// A loopback TCP port nothing listens on right now, never given out before in this test run. Chosen below Linux's
    /// ephemeral range (32768+), so no outgoing connection can hold it by the time a host binds it, and never twice, so
    /// a host of one cluster cannot take the port of another cluster's host that is down for a moment (killed by a fault
    /// test, to be restarted on it). A port handed out twice lets a host fail to bind while its health probe is answered
    /// by another cluster's host on that port, which then answers every later test with 404s (the likely cause of a CI
    /// run in which one cluster's REST calls all got 404 and its gRPC calls were refused).
    /// </summary>
    public static int FreePort()
    {
        lock (GivenPorts)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(20000, 32000);
                if (GivenPorts.Contains(port))
                {
                    continue;
                }

                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                }
                catch (SocketException)
                {
                    continue;
                }

                GivenPorts.Add(port);
                return port;
            }
        }

        throw new InvalidOperationException("No free loopback port in 20000-31999.");
    }

    public static string NewTempDirectory(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    private static string HostDll(string projectDir, string dll)
    {
        var path = Path.Combine(RepositoryRoot, projectDir, "bin", Configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build the solution first (./tests/run.sh does).", path);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Service.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Service.sln not found above " + AppContext.BaseDirectory);
    }
}
