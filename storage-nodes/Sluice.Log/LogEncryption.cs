namespace Sluice.Log;

/// <summary>
/// The keys a log works with: the cipher new batches are sealed with (none: they are written in plain) and every
/// cipher stored batches may need, found by the key version each encrypted batch carries. Immutable; a host swaps
/// the whole value on <see cref="PartitionLog.Encryption"/> when a stream's encryption is started or stopped, and
/// batches written before either change stay readable as long as their key version is still listed.
/// </summary>
public sealed class LogEncryption
{
    private readonly BatchCipher[] _keys;

    /// <param name="keys">Ciphers for reading, by distinct <see cref="BatchCipher.KeyVersion"/>.</param>
    /// <param name="encryptWith">The cipher for new batches, or null to write them in plain; added to the keys if missing.</param>
    public LogEncryption(IEnumerable<BatchCipher> keys, BatchCipher? encryptWith)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = new List<BatchCipher>(keys);
        if (encryptWith is not null && !list.Contains(encryptWith))
        {
            list.Add(encryptWith);
        }

        for (var i = 0; i < list.Count; i++)
        {
            for (var j = i + 1; j < list.Count; j++)
            {
                if (list[i].KeyVersion == list[j].KeyVersion && !ReferenceEquals(list[i], list[j]))
                {
                    throw new ArgumentException($"Two keys have version {list[i].KeyVersion}.", nameof(keys));
                }
            }
        }

        _keys = [.. list];
        EncryptWith = encryptWith;
    }

    /// <summary>No keys: batches are written in plain and encrypted ones cannot be read.</summary>
    public static LogEncryption None { get; } = new([], null);

    /// <summary>The cipher new batches are sealed with; null writes them in plain.</summary>
    public BatchCipher? EncryptWith { get; }

    /// <summary>The key versions this value can decrypt.</summary>
    public IEnumerable<int> KeyVersions => _keys.Select(k => k.KeyVersion);

    /// <summary>The cipher of <paramref name="keyVersion"/>, or null when this value does not have it.</summary>
    public BatchCipher? Find(int keyVersion)
    {
        foreach (var key in _keys)
        {
            if (key.KeyVersion == keyVersion)
            {
                return key;
            }
        }

        return null;
    }
}
