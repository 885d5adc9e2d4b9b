using Microsoft.Extensions.Options;
using Sluice.Metadata;

namespace Sluice.Gateway.Auth;

/// <summary>
/// <c>Sluice.Gateway token --tenant NAME [--ttl-days N]</c>: creates the tenant when missing and
/// prints a bearer token for it, signed with the configured key. Used by the dev cluster.
/// </summary>
internal static class TokenCommand
{
    private const int DefaultTtlDays = 30;

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? tenant = null;
        var ttlDays = DefaultTtlDays;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--tenant" when i + 1 < args.Length:
                    tenant = args[++i];
                    break;
                case "--ttl-days" when i + 1 < args.Length && int.TryParse(args[i + 1], out var days) && days > 0:
                    ttlDays = days;
                    i++;
                    break;
                default:
                    await stderr.WriteLineAsync($"usage: token --tenant NAME [--ttl-days N]  (unexpected '{args[i]}')");
                    return 2;
            }
        }

        if (string.IsNullOrEmpty(tenant))
        {
            await stderr.WriteLineAsync("usage: token --tenant NAME [--ttl-days N]");
            return 2;
        }

        var gateway = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        await services.GetRequiredService<MetadataDatabase>().MigrateAsync(gateway.StartupWait);
        await services.GetRequiredService<TenantDirectory>().EnsureAsync(tenant);
        await stdout.WriteLineAsync(services.GetRequiredService<TokenIssuer>().Issue(tenant, TimeSpan.FromDays(ttlDays)));
        return 0;
    }
}
