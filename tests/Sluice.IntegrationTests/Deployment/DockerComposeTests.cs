using System.Reflection;
using System.Runtime.Loader;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Metadata;
using YamlDotNet.RepresentationModel;

namespace Sluice.IntegrationTests.Deployment;

/// <summary>
/// No Docker engine runs here, so the compose file is checked statically: every service builds
/// from a Dockerfile that exists, and its settings are ones the hosts actually read.
/// </summary>
public sealed class DockerComposeTests
{
    private static readonly YamlMappingNode Services = LoadServices();

    [Fact]
    public void Every_built_service_has_an_existing_context_and_dockerfile()
    {
        var built = 0;
        foreach (var (name, service) in Each())
        {
            if (!service.Children.TryGetValue("build", out var build))
            {
                Assert.True(service.Children.ContainsKey("image"), $"{name} has neither build nor image");
                continue;
            }

            var map = (YamlMappingNode)build;
            var context = Path.Combine(TestEnvironment.RepositoryRoot, Scalar(map, "context"));
            Assert.True(Directory.Exists(context), $"{name}: build context {context} is missing");
            var dockerfile = Path.Combine(context, Scalar(map, "dockerfile"));
            Assert.True(File.Exists(dockerfile), $"{name}: {dockerfile} is missing");
            var text = File.ReadAllText(dockerfile);
            Assert.Contains("dotnet publish", text, StringComparison.Ordinal);
            built++;
        }

        Assert.Equal(5, built);
        Assert.True(Services.Children.ContainsKey("postgres"));
        Assert.True(Services.Children.ContainsKey("redis"));
    }

    [Fact]
    public void Storage_node_settings_are_keys_the_node_reads_and_ports_agree()
    {
        var keys = OptionKeys(TestEnvironment.StorageNodeDll, "Sluice.StorageNode.NodeOptions", "Sluice:Node");
        var nodeIds = new HashSet<string>();
        foreach (var (name, service) in Each().Where(s => s.Name.StartsWith("storage-node-", StringComparison.Ordinal)))
        {
            var env = Environment(service);
            foreach (var key in env.Keys.Where(k => k.StartsWith("Sluice__Node__", StringComparison.Ordinal)))
            {
                Assert.Contains(key.Replace("__", ":", StringComparison.Ordinal), keys);
            }

            Assert.True(nodeIds.Add(env["Sluice__Node__Id"]), $"{name}: duplicate node id");
            Assert.Equal($"http://{name}:{env["Sluice__Node__GrpcPort"]}", env["Sluice__Node__AdvertisedAddress"]);
            AssertMetadataConnection(name, env);
        }

        Assert.Equal(3, nodeIds.Count);
    }

    [Fact]
    public void Gateway_settings_are_keys_the_gateway_reads_and_its_ports_are_published()
    {
        var gatewayKeys = OptionKeys(TestEnvironment.GatewayDll, "Sluice.Gateway.GatewayOptions", "Sluice:Gateway")
            .Concat(OptionKeys(TestEnvironment.GatewayDll, "Sluice.Gateway.Auth.AuthOptions", "Sluice:Auth"))
            .Concat(typeof(SecretProtectionOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite).Select(p => $"{SecretProtectionOptions.Section}:{p.Name}"))
            .ToHashSet();
        var gateway = (YamlMappingNode)Services.Children["gateway"];
        var env = Environment(gateway);
        foreach (var key in env.Keys.Where(k => k.StartsWith("Sluice__", StringComparison.Ordinal)))
        {
            Assert.Contains(key.Replace("__", ":", StringComparison.Ordinal), gatewayKeys);
        }

        Assert.True(env.ContainsKey("Sluice__Auth__SigningKey"));
        Assert.True(env.ContainsKey("Sluice__Security__MasterKey"), "the gateway refuses to start without a master key");
        AssertMetadataConnection("gateway", env);
        // Quotas are on by default and keep their token buckets in the compose file's Redis.
        Assert.Equal("redis:6379", env["ConnectionStrings__Redis"]);
        var ports = ((YamlSequenceNode)gateway.Children["ports"]).Children.Select(p => ((YamlScalarNode)p).Value!).ToList();
        foreach (var port in new[] { env["Sluice__Gateway__HttpPort"], env["Sluice__Gateway__GrpcPort"] })
        {
            Assert.Contains(ports, p => p.EndsWith($":{port}", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Controller_settings_are_keys_the_controller_host_reads()
    {
        var keys = OptionKeys(TestEnvironment.ControllerHostDll, "Sluice.Controller.Host.ControllerHostOptions", "Sluice:ControllerHost")
            .Concat(typeof(Sluice.Controller.ControllerOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite).Select(p => $"{Sluice.Controller.ControllerOptions.Section}:{p.Name}"))
            .ToHashSet();
        var env = Environment((YamlMappingNode)Services.Children["controller"]);
        foreach (var key in env.Keys.Where(k => k.StartsWith("Sluice__", StringComparison.Ordinal)))
        {
            Assert.Contains(key.Replace("__", ":", StringComparison.Ordinal), keys);
        }

        AssertMetadataConnection("controller", env);
    }

    private static void AssertMetadataConnection(string name, IReadOnlyDictionary<string, string> env)
    {
        Assert.True(env.TryGetValue("ConnectionStrings__Metadata", out var connection), $"{name} has no metadata connection string");
        Assert.Contains("Host=postgres", connection, StringComparison.Ordinal);
        Assert.Contains("Database=sluice", connection, StringComparison.Ordinal);
    }

    private static IEnumerable<(string Name, YamlMappingNode Service)> Each() =>
        Services.Children.Select(kv => (((YamlScalarNode)kv.Key).Value!, (YamlMappingNode)kv.Value));

    private static Dictionary<string, string> Environment(YamlMappingNode service) =>
        ((YamlMappingNode)service.Children["environment"]).Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value!);

    private static string Scalar(YamlMappingNode map, string key) => ((YamlScalarNode)map.Children[key]).Value!;

    private static YamlMappingNode LoadServices()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(TestEnvironment.RepositoryRoot, "docker-compose.yml"));
        yaml.Load(reader);
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children["services"];
    }

    /// <summary>Configuration keys of an options type, read from the built host in its own load context.</summary>
    private static HashSet<string> OptionKeys(string hostDll, string typeName, string section)
    {
        var context = new HostLoadContext(hostDll);
        try
        {
            var type = context.LoadFromAssemblyPath(hostDll).GetType(typeName, throwOnError: true)!;
            return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite)
                .Select(p => $"{section}:{p.Name}")
                .ToHashSet();
        }
        finally
        {
            context.Unload();
        }
    }

    private sealed class HostLoadContext(string hostDll) : AssemblyLoadContext(isCollectible: true)
    {
        private readonly AssemblyDependencyResolver _resolver = new(hostDll);

        protected override Assembly? Load(AssemblyName assemblyName) =>
            _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }
}
