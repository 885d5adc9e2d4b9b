using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sluice.Gateway.Auth;

/// <summary>
/// <c>Sluice.Gateway tls-cert --cert FILE --key FILE [--days N] [--name HOST]...</c>: writes a
/// self-signed certificate and its key (PEM) for the TLS port, valid for localhost and 127.0.0.1
/// plus any <c>--name</c>. For development and tests: clients must trust the certificate file
/// explicitly (AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS); production uses a certificate from a CA.
/// </summary>
internal static class TlsCertificateCommand
{
    private const string Usage = "usage: tls-cert --cert FILE --key FILE [--days N] [--name HOST]...";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? certPath = null, keyPath = null;
        var days = 365;
        var names = new List<string> { "localhost" };
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--cert" when i + 1 < args.Length:
                    certPath = args[++i];
                    break;
                case "--key" when i + 1 < args.Length:
                    keyPath = args[++i];
                    break;
                case "--days" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d > 0:
                    days = d;
                    i++;
                    break;
                case "--name" when i + 1 < args.Length:
                    names.Add(args[++i]);
                    break;
                default:
                    await stderr.WriteLineAsync($"{Usage}  (unexpected '{args[i]}')");
                    return 2;
            }
        }

        if (certPath is null || keyPath is null)
        {
            await stderr.WriteLineAsync(Usage);
            return 2;
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Sluice gateway (development)", key, HashAlgorithmName.SHA256);
        var alternativeNames = new SubjectAlternativeNameBuilder();
        alternativeNames.AddIpAddress(IPAddress.Loopback);
        alternativeNames.AddIpAddress(IPAddress.IPv6Loopback);
        foreach (var name in names.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (IPAddress.TryParse(name, out var address))
            {
                alternativeNames.AddIpAddress(address);
            }
            else
            {
                alternativeNames.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(alternativeNames.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // server auth
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(days));

        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem() + "\n");
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await stdout.WriteLineAsync($"wrote {certPath} and {keyPath} (valid {days} days for {string.Join(", ", names.Prepend("127.0.0.1"))})");
        return 0;
    }
}
