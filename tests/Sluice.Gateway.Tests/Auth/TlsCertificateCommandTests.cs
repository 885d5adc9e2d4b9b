using System.Security.Cryptography.X509Certificates;
using Sluice.Gateway.Auth;

namespace Sluice.Gateway.Tests.Auth;

public sealed class TlsCertificateCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-tls-").FullName;

    [Fact]
    public async Task Writes_a_loadable_certificate_for_loopback_and_the_given_names_with_a_private_key_file()
    {
        var cert = Path.Combine(_directory, "gateway.crt");
        var key = Path.Combine(_directory, "gateway.key");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await TlsCertificateCommand.RunAsync(["tls-cert", "--cert", cert, "--key", key, "--days", "3", "--name", "sluice.test", "--name", "10.1.2.3"], stdout, stderr);

        Assert.Equal(0, code);
        using var certificate = X509Certificate2.CreateFromPemFile(cert, key);
        Assert.True(certificate.HasPrivateKey);
        Assert.InRange(certificate.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(2.9), DateTime.UtcNow.AddDays(3.1));
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("localhost", names.EnumerateDnsNames());
        Assert.Contains("sluice.test", names.EnumerateDnsNames());
        Assert.Contains(System.Net.IPAddress.Loopback, names.EnumerateIPAddresses());
        Assert.Contains(System.Net.IPAddress.Parse("10.1.2.3"), names.EnumerateIPAddresses());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }
    }

    [Theory]
    [InlineData("tls-cert")]
    [InlineData("tls-cert --cert a.crt")]
    [InlineData("tls-cert --key a.key")]
    [InlineData("tls-cert --cert a.crt --key a.key --days 0")]
    [InlineData("tls-cert --cert a.crt --key a.key --days soon")]
    [InlineData("tls-cert --cert a.crt --key a.key --bogus")]
    public async Task Bad_arguments_print_the_usage_and_write_nothing(string line)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var args = line.Split(' ').Select(a => a.EndsWith(".crt", StringComparison.Ordinal) || a.EndsWith(".key", StringComparison.Ordinal) ? Path.Combine(_directory, a) : a).ToArray();

        var code = await TlsCertificateCommand.RunAsync(args, stdout, stderr);

        Assert.Equal(2, code);
        Assert.StartsWith("usage: tls-cert", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
