namespace Sluice.Metadata;

/// <summary>
/// The master key that encrypts stored secrets (access key secrets), bound from
/// <c>Sluice:Security</c>. Keys are never logged: <see cref="ToString"/> leaves them out.
/// </summary>
public sealed record SecretProtectionOptions
{
    public const string Section = "Sluice:Security";

    /// <summary>Length of a master key in bytes (AES-256).</summary>
    public const int MasterKeyBytes = 32;

    /// <summary>Base64 of <see cref="MasterKeyBytes"/> random bytes (<c>Sluice:Security:MasterKey</c>).</summary>
    public string MasterKey { get; init; } = "";

    /// <summary>
    /// The version (1–255) of <see cref="MasterKey"/>, written into every new ciphertext so that a
    /// rotated key can still decrypt what older keys encrypted.
    /// </summary>
    public int MasterKeyVersion { get; init; } = 1;

    /// <summary>Retired master keys (base64) by version, still used to decrypt, never to encrypt.</summary>
    public IReadOnlyDictionary<int, string> PreviousMasterKeys { get; init; } = new Dictionary<int, string>();

    /// <summary>Throws when a setting is missing or malformed, naming it (never echoing a key).</summary>
    public void Validate()
    {
        ValidateVersion(MasterKeyVersion, nameof(MasterKeyVersion));
        DecodeKey(MasterKey, $"{Section}:{nameof(MasterKey)}");
        foreach (var (version, key) in PreviousMasterKeys)
        {
            ValidateVersion(version, $"{nameof(PreviousMasterKeys)}:{version}");
            if (version == MasterKeyVersion)
            {
                throw new ArgumentException($"{Section}:{nameof(PreviousMasterKeys)} must not contain the current {nameof(MasterKeyVersion)} {version}.", nameof(PreviousMasterKeys));
            }

            DecodeKey(key, $"{Section}:{nameof(PreviousMasterKeys)}:{version}");
        }
    }

    /// <summary>Names the settings without any key material.</summary>
    public override string ToString() =>
        $"{nameof(SecretProtectionOptions)} {{ {nameof(MasterKeyVersion)} = {MasterKeyVersion}, {nameof(PreviousMasterKeys)} = [{string.Join(", ", PreviousMasterKeys.Keys)}] }}";

    internal static byte[] DecodeKey(string base64, string settingName)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{settingName} must be base64 of {MasterKeyBytes} bytes; it is not valid base64.", nameof(base64));
        }

        if (key.Length != MasterKeyBytes)
        {
            throw new ArgumentException($"{settingName} must be base64 of {MasterKeyBytes} bytes; it decodes to {key.Length}.", nameof(base64));
        }

        return key;
    }

    private static void ValidateVersion(int version, string name)
    {
        if (version is < 1 or > byte.MaxValue)
        {
            throw new ArgumentOutOfRangeException(name, version, "A master key version must be between 1 and 255.");
        }
    }
}
