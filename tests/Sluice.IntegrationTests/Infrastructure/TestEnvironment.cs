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

    /// <summary>A TCP port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
