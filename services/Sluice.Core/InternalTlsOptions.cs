using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Sluice.Core;

/// <summary>
/// How the internal gRPC clients (gateway → storage nodes, storage node → storage node) check the certificates of
/// storage nodes that serve TLS (their registered address is <c>https://</c>), bound from <c>Sluice:InternalTls</c>.
/// Without a CA file the system's trusted roots decide; with one, exactly the certificates in it are the roots (a
/// private CA, or a self-signed development certificate such as <c>Sluice.Gateway tls-cert</c> makes).
/// </summary>
public sealed record InternalTlsOptions
{
    public const string Section = "Sluice:InternalTls";

    /// <summary>PEM file with the root certificate(s) storage node certificates must chain to; null for the system roots.</summary>
    public string? CaCertificatePath { get; init; }

    /// <summary>
    /// TLS client settings for a <see cref="SocketsHttpHandler"/>: a custom root trust when <see cref="CaCertificatePath"/>
    /// is set (host names are still checked), otherwise null (the defaults). Throws when the file has no certificate.
    /// </summary>
    public SslClientAuthenticationOptions? CreateClientSslOptions()
    {
        if (string.IsNullOrEmpty(CaCertificatePath))
        {
            return null;
        }

        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(CaCertificatePath);
        if (roots.Count == 0)
        {
            throw new InvalidOperationException($"{Section}:{nameof(CaCertificatePath)} ({CaCertificatePath}) holds no PEM certificate.");
        }

        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(roots);
        return new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
    }
}
