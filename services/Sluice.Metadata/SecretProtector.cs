using System.Security.Cryptography;

namespace Sluice.Metadata;

/// <summary>
/// Encrypts small secrets for storage with AES-256-GCM under a key derived (HKDF-SHA256) from the
/// master key in <see cref="SecretProtectionOptions"/>. A protected value is self-describing:
/// <code>
///   0         1                13                      13+n               29+n
///   +---------+----------------+-----------------------+------------------+
///   | version | nonce, 12 bytes | ciphertext, n bytes  | GCM tag, 16 bytes|
///   +---------+----------------+-----------------------+------------------+
/// </code>
/// <c>version</c> is the master key version, so retired keys keep decrypting after a rotation.
/// The caller's associated data (for access keys: the key id) is authenticated but not stored, so a
/// ciphertext copied to another row, or a changed byte anywhere, fails to decrypt.
/// Thread-safe; keys live only in memory and are never logged.
/// </summary>
public sealed class SecretProtector
{
    /// <summary>Size of the random GCM nonce.</summary>
    public const int NonceSize = 12;

    /// <summary>Size of the GCM authentication tag.</summary>
    public const int TagSize = 16;

    /// <summary>Bytes a protected value has beyond its plaintext: version, nonce and tag.</summary>
    public const int Overhead = HeaderSize + TagSize;

    private const int HeaderSize = 1 + NonceSize;

    // The AES key is derived rather than the master key used directly, so the same master key can
    // later protect other kinds of data under other labels without two uses sharing a key.
    private static readonly byte[] KeyLabel = "sluice/secret-protector/aes-256-gcm/v1"u8.ToArray();

    private readonly byte[]?[] _keysByVersion = new byte[]?[byte.MaxValue + 1];
    private readonly byte _currentVersion;

    /// <summary>Derives the keys; throws when <paramref name="options"/> are invalid.</summary>
    public SecretProtector(SecretProtectionOptions options)
        : this(options, KeyLabel)
    {
    }

    /// <summary>Derives the keys under another HKDF label, so another kind of data never shares a key with this one.</summary>
    internal SecretProtector(SecretProtectionOptions options, byte[] label)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _currentVersion = (byte)options.MasterKeyVersion;
        _keysByVersion[_currentVersion] = DeriveKey(SecretProtectionOptions.DecodeKey(options.MasterKey, nameof(options.MasterKey)), label);
        foreach (var (version, key) in options.PreviousMasterKeys)
        {
            _keysByVersion[version] = DeriveKey(SecretProtectionOptions.DecodeKey(key, nameof(options.PreviousMasterKeys)), label);
        }
    }

    /// <summary>The master key version new ciphertexts are written with.</summary>
    public byte CurrentKeyVersion => _currentVersion;

    /// <summary>The master key version a protected value was written with.</summary>
    public static byte KeyVersionOf(ReadOnlySpan<byte> protectedValue) =>
        protectedValue.Length >= Overhead ? protectedValue[0] : throw new CryptographicException("The protected value is too short.");

    /// <summary>Encrypts <paramref name="plaintext"/>, binding it to <paramref name="associatedData"/>.</summary>
    public byte[] Protect(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[Overhead + plaintext.Length];
        output[0] = _currentVersion;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keysByVersion[_currentVersion]!, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(HeaderSize, plaintext.Length), output.AsSpan(HeaderSize + plaintext.Length, TagSize), associatedData);
        return output;
    }

    /// <summary>
    /// Decrypts a value <see cref="Protect"/> made with the same <paramref name="associatedData"/>.
    /// Throws <see cref="CryptographicException"/> when the value was changed, belongs to other
    /// associated data, or was written under a master key this instance does not have.
    /// </summary>
    public byte[] Unprotect(ReadOnlySpan<byte> protectedValue, ReadOnlySpan<byte> associatedData)
    {
        var version = KeyVersionOf(protectedValue);
        var key = _keysByVersion[version]
            ?? throw new CryptographicException($"The value was protected with master key version {version}, which is not configured.");
        var plaintext = new byte[protectedValue.Length - Overhead];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(protectedValue.Slice(1, NonceSize), protectedValue.Slice(HeaderSize, plaintext.Length),
            protectedValue.Slice(HeaderSize + plaintext.Length, TagSize), plaintext, associatedData);
        return plaintext;
    }

    private static byte[] DeriveKey(byte[] masterKey, byte[] label)
    {
        try
        {
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, SecretProtectionOptions.MasterKeyBytes, salt: [], info: label);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(masterKey);
        }
    }
}
