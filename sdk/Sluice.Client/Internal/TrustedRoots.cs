using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Sluice.Client.Internal;

/// <summary>TLS client settings that trust exactly the root certificates of a PEM file (<see cref="SluiceClientOptions.CaCertificatePath"/>).</summary>
internal static class TrustedRoots
{
    public static SslClientAuthenticationOptions ClientOptions(string pemPath)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(pemPath);
        if (roots.Count == 0)
        {
            throw new ArgumentException($"{pemPath} holds no PEM certificate.", nameof(pemPath));
        }

        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(roots);
        return new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
    }
}
