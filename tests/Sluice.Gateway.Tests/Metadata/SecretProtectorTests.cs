using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Metadata.Tests;

/// <summary>AES-GCM protection of stored secrets: round trip, and every way a wrong key, row or byte must fail.</summary>
public sealed class SecretProtectorTests
{
    private static readonly string KeyV1 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string KeyV2 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly byte[] Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"u8.ToArray();
    private static readonly byte[] KeyA = "sluice/access-key/SLUAAAAAAAAAAAAAAAAA"u8.ToArray();
    private static readonly byte[] KeyB = "sluice/access-key/SLUBBBBBBBBBBBBBBBBB"u8.ToArray();

    private readonly SecretProtector _protector = new(new SecretProtectionOptions { MasterKey = KeyV1 });

    [Fact]
    public void Protected_secret_round_trips()
    {
        var protectedValue = _protector.Protect(Secret, KeyA);

        Assert.Equal(Secret, _protector.Unprotect(protectedValue, KeyA));
        Assert.Equal(Secret, new SecretProtector(new SecretProtectionOptions { MasterKey = KeyV1 }).Unprotect(protectedValue, KeyA));
    }

    [Fact]
    public void Protected_value_is_version_nonce_ciphertext_and_tag_and_never_the_plain_secret()
    {
        var first = _protector.Protect(Secret, KeyA);
        var second = _protector.Protect(Secret, KeyA);

        Assert.Equal(Secret.Length + SecretProtector.Overhead, first.Length);
        Assert.Equal(1, first[0]);
        Assert.Equal(1, SecretProtector.KeyVersionOf(first));
        Assert.NotEqual(first, second);
        Assert.Equal(-1, first.AsSpan().IndexOf(Secret.AsSpan(0, 8)));
    }

    [Fact]
    public void Wrong_master_key_fails()
    {
        var protectedValue = _protector.Protect(Secret, KeyA);
        var other = new SecretProtector(new SecretProtectionOptions { MasterKey = KeyV2 });

        Assert.ThrowsAny<CryptographicException>(() => other.Unprotect(protectedValue, KeyA));
    }

    [Fact]
    public void Ciphertext_moved_to_another_key_id_fails()
    {
        var protectedValue = _protector.Protect(Secret, KeyA);

        Assert.ThrowsAny<CryptographicException>(() => _protector.Unprotect(protectedValue, KeyB));
    }

    [Fact]
    public void Any_changed_byte_fails()
    {
        var protectedValue = _protector.Protect(Secret, KeyA);
        for (var i = 0; i < protectedValue.Length; i++)
        {
            var tampered = protectedValue.ToArray();
            tampered[i] ^= 0x01;
            Assert.ThrowsAny<CryptographicException>(() => _protector.Unprotect(tampered, KeyA));
        }
    }

    [Fact]
    public void Truncated_value_fails()
    {
        var protectedValue = _protector.Protect(Secret, KeyA);

        Assert.ThrowsAny<CryptographicException>(() => _protector.Unprotect(protectedValue.AsSpan(0, SecretProtector.Overhead - 1), KeyA));
        Assert.ThrowsAny<CryptographicException>(() => _protector.Unprotect(protectedValue.AsSpan(0, protectedValue.Length - 1), KeyA));
    }

    [Fact]
    public void Rotated_master_key_still_reads_what_the_retired_one_wrote()
    {
        var written = _protector.Protect(Secret, KeyA);
        var rotated = new SecretProtector(new SecretProtectionOptions
        {
            MasterKey = KeyV2,
            MasterKeyVersion = 2,
            PreviousMasterKeys = new Dictionary<int, string> { [1] = KeyV1 },
        });

        var rewritten = rotated.Protect(Secret, KeyA);

        Assert.Equal(Secret, rotated.Unprotect(written, KeyA));
        Assert.Equal(2, SecretProtector.KeyVersionOf(rewritten));
        var error = Assert.ThrowsAny<CryptographicException>(() => _protector.Unprotect(rewritten, KeyA));
        Assert.Contains("version 2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==")]
    public void Malformed_master_key_is_refused_without_echoing_it(string masterKey)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new SecretProtector(new SecretProtectionOptions { MasterKey = masterKey }));

        Assert.Contains("Sluice:Security:MasterKey", error.Message, StringComparison.Ordinal);
        if (masterKey.Length > 0)
        {
            Assert.DoesNotContain(masterKey, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Versions_out_of_range_or_clashing_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SecretProtectionOptions { MasterKey = KeyV1, MasterKeyVersion = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SecretProtectionOptions { MasterKey = KeyV1, MasterKeyVersion = 256 }.Validate());
        Assert.Throws<ArgumentException>(() => new SecretProtectionOptions
        {
            MasterKey = KeyV1,
            PreviousMasterKeys = new Dictionary<int, string> { [1] = KeyV2 },
        }.Validate());
    }

    [Fact]
    public void Options_bind_from_sluice_security_and_never_print_a_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sluice:Security:MasterKey"] = KeyV2,
            ["Sluice:Security:MasterKeyVersion"] = "2",
            ["Sluice:Security:PreviousMasterKeys:1"] = KeyV1,
        }).Build();

        var options = configuration.GetSection(SecretProtectionOptions.Section).Get<SecretProtectionOptions>()!;
        options.Validate();

        Assert.Equal(KeyV2, options.MasterKey);
        Assert.Equal(2, options.MasterKeyVersion);
        Assert.Equal(KeyV1, options.PreviousMasterKeys[1]);
        Assert.DoesNotContain(KeyV1, options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(KeyV2, options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Key_objects_never_print_their_secret()
    {
        var secret = Encoding.ASCII.GetString(Secret);
        var tenant = new Tenant { Id = Guid.NewGuid(), Name = "acme", AccountId = "123456789012" };
        var created = new NewAccessKey("SLUAAAAAAAAAAAAAAAAA", tenant.Id, "ci", DateTimeOffset.UnixEpoch, secret);
        var found = new AccessKeyCredentials("SLUAAAAAAAAAAAAAAAAA", tenant, secret);
        var stored = new AccessKey { Id = "SLUAAAAAAAAAAAAAAAAA", EncryptedSecret = _protector.Protect(Secret, KeyA) };

        Assert.DoesNotContain(secret, created.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, found.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, stored.ToString(), StringComparison.Ordinal);
        Assert.Contains("SLUAAAAAAAAAAAAAAAAA", created.ToString(), StringComparison.Ordinal);
    }
}
