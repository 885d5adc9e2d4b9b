using System.Security.Cryptography;

namespace Sluice.Metadata.Tests;

/// <summary>Per-stream data keys wrapped by the master key: round trip, binding to the stream, rotation, key separation.</summary>
public sealed class StreamDataKeysTests
{
    private static readonly string KeyV1 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string KeyV2 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private readonly StreamDataKeys _keys = new(new SecretProtectionOptions { MasterKey = KeyV1 });

    [Fact]
    public void A_wrapped_data_key_unwraps_to_32_bytes_with_the_same_master_key_and_differs_per_call()
    {
        var first = _keys.CreateWrapped(42);
        var second = _keys.CreateWrapped(42);

        var key = new StreamDataKeys(new SecretProtectionOptions { MasterKey = KeyV1 }).Unwrap(42, first);
        Assert.Equal(StreamDataKeys.DataKeySize, key.Length);
        Assert.NotEqual(first, second);
        Assert.NotEqual(key, _keys.Unwrap(42, second));
        Assert.Equal(SecretProtector.Overhead + StreamDataKeys.DataKeySize, first.Length);
    }

    [Fact]
    public void A_wrapped_key_copied_to_another_stream_or_changed_does_not_unwrap()
    {
        var wrapped = _keys.CreateWrapped(7);

        Assert.ThrowsAny<CryptographicException>(() => _keys.Unwrap(8, wrapped));
        wrapped[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => _keys.Unwrap(7, wrapped));
    }

    [Fact]
    public void Data_keys_are_wrapped_under_a_key_of_their_own_not_the_access_key_one()
    {
        var wrapped = _keys.CreateWrapped(7);
        var secrets = new SecretProtector(new SecretProtectionOptions { MasterKey = KeyV1 });

        // Same master key, same associated data layout would be needed: the derived keys differ, so it cannot open.
        Assert.ThrowsAny<CryptographicException>(() => secrets.Unprotect(wrapped, "stream-data-key:\u0007\0\0\0\0\0\0\0"u8));
    }

    [Fact]
    public void After_a_master_key_rotation_keys_wrapped_under_the_previous_version_still_unwrap()
    {
        var wrapped = _keys.CreateWrapped(3);
        var rotated = new StreamDataKeys(new SecretProtectionOptions
        {
            MasterKey = KeyV2,
            MasterKeyVersion = 2,
            PreviousMasterKeys = new Dictionary<int, string> { [1] = KeyV1 },
        });

        Assert.Equal(_keys.Unwrap(3, wrapped), rotated.Unwrap(3, wrapped));
        Assert.Equal(2, SecretProtector.KeyVersionOf(rotated.CreateWrapped(3)));
        Assert.ThrowsAny<CryptographicException>(() => new StreamDataKeys(new SecretProtectionOptions { MasterKey = KeyV2, MasterKeyVersion = 2 }).Unwrap(3, wrapped));
    }
}
