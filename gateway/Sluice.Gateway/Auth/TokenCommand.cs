using Microsoft.Extensions.Options;
using Sluice.Metadata;

namespace Sluice.Gateway.Auth;

/// <summary>
/// <c>Sluice.Gateway token --tenant NAME [--admin] [--ttl-days N]</c>: creates the tenant when missing and
/// prints a bearer token for it, signed with the configured key. Used by the dev cluster. <c>--admin</c> adds the
/// admin role (<see cref="AuthOptions.RoleClaim"/>: <see cref="AuthOptions.PlatformAdminRole"/>) that the <c>/admin</c>
/// endpoints require; with <c>--admin</c> the tenant is optional (such a token reaches only the admin endpoints).
/// </summary>
internal static class TokenCommand
{
    private const int DefaultTtlDays = 30;
    private const string Usage = "usage: token --tenant NAME [--admin] [--ttl-days N]  |  token --admin [--ttl-days N]";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? tenant = null;
        var admin = false;
        var ttlDays = DefaultTtlDays;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--tenant" when i + 1 < args.Length:
                    tenant = args[++i];
                    break;
                case "--admin":
                    admin = true;
                    break;
                case "--ttl-days" when i + 1 < args.Length && int.TryParse(args[i + 1], out var days) && days > 0:
                    ttlDays = days;
                    i++;
                    break;
                default:
                    await stderr.WriteLineAsync($"{Usage}  (unexpected '{args[i]}')");
                    return 2;
            }
        }

        if (string.IsNullOrEmpty(tenant) && !admin)
        {
            await stderr.WriteLineAsync(Usage);
            return 2;
        }

        if (!string.IsNullOrEmpty(tenant))
        {
            var gateway = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
            await services.GetRequiredService<MetadataDatabase>().MigrateAsync(gateway.StartupWait);
            await services.GetRequiredService<TenantDirectory>().EnsureAsync(tenant);
        }

        await stdout.WriteLineAsync(services.GetRequiredService<TokenIssuer>().Issue(tenant, TimeSpan.FromDays(ttlDays), admin: admin));
        return 0;
    }
}
