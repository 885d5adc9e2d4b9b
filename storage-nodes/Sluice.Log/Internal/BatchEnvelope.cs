using System.Buffers.Binary;

namespace Sluice.Log.Internal;

/// <summary>
/// What an encrypted batch (<see cref="BatchHeader.EncryptedAttribute"/>) carries between its header and its records,
/// which are AES-256-GCM ciphertext of exactly the plaintext's length. Little-endian.
/// <code>
///  64            68                              80                                      96
///  +-------------+-------------------------------+---------------------------------------+------------------+
///  | KeyVersion  | Nonce (12 bytes)              | GCM tag (16 bytes)                    | records, sealed  |
///  | i32         |                               |                                       | ... BatchLength  |
///  +-------------+-------------------------------+---------------------------------------+------------------+
/// </code>
/// The associated data is the batch's BaseOffset followed by header bytes [24, 64) (attributes, record count,
/// timestamps, producer fields), so a sealed body moved to another offset or under changed header fields fails to
/// open. LeaderEpoch and BatchLength stay outside it for the reasons the CRC leaves them out; the records' length is
/// implied by the ciphertext. The batch CRC covers the envelope and the ciphertext: what is on disk.
/// </summary>
internal static class BatchEnvelope
{
    /// <summary>Bytes of the envelope.</summary>
    public const int Size = KeyVersionSize + BatchCipher.NonceSize + BatchCipher.TagSize;

    /// <summary>Where the records start in an encrypted batch.</summary>
    public const int BodyStart = BatchHeader.Size + Size;

    private const int KeyVersionSize = sizeof(int);
    private const int KeyVersionAt = BatchHeader.Size;
    private const int NonceAt = KeyVersionAt + KeyVersionSize;
    private const int TagAt = NonceAt + BatchCipher.NonceSize;
    private const int AssociatedDataSize = sizeof(long) + BatchHeader.Size - BatchHeader.CrcCoverageStart;

    /// <summary>Where the records of a batch start, for a batch sealed with a cipher or not.</summary>
    public static int RecordsStart(bool encrypted) => encrypted ? BodyStart : BatchHeader.Size;

    /// <summary>The key version an encrypted batch names.</summary>
    public static int KeyVersionOf(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt32LittleEndian(batch[KeyVersionAt..]);

    /// <summary>
    /// Seals the records of <paramref name="batch"/> (a whole batch whose header is written; CRC not yet stamped) in
    /// place and fills in the envelope.
    /// </summary>
    public static void Seal(Span<byte> batch, BatchCipher cipher)
    {
        Span<byte> associatedData = stackalloc byte[AssociatedDataSize];
        WriteAssociatedData(batch, associatedData);
        BinaryPrimitives.WriteInt32LittleEndian(batch[KeyVersionAt..], cipher.KeyVersion);
        cipher.Seal(batch.Slice(NonceAt, BatchCipher.NonceSize), associatedData, batch[BodyStart..], batch.Slice(TagAt, BatchCipher.TagSize));
    }

    /// <summary>
    /// Opens the records of an encrypted <paramref name="batch"/> in place. Returns null on success, otherwise why not
    /// (no key for its version; authentication failed: changed bytes or another key).
    /// </summary>
    public static string? TryOpen(Span<byte> batch, long baseOffset, LogEncryption encryption)
    {
        var version = KeyVersionOf(batch);
        if (encryption.Find(version) is not { } cipher)
        {
            return $"the batch at offset {baseOffset} is encrypted with key version {version}, which this log has no key for";
        }

        Span<byte> associatedData = stackalloc byte[AssociatedDataSize];
        WriteAssociatedData(batch, associatedData);
        return cipher.TryOpen(batch.Slice(NonceAt, BatchCipher.NonceSize), associatedData, batch[BodyStart..], batch.Slice(TagAt, BatchCipher.TagSize))
            ? null
            : $"the encrypted batch at offset {baseOffset} failed authentication (changed on disk, or sealed with another key)";
    }

    private static void WriteAssociatedData(ReadOnlySpan<byte> batch, Span<byte> destination)
    {
        batch[..sizeof(long)].CopyTo(destination);
        batch[BatchHeader.CrcCoverageStart..BatchHeader.Size].CopyTo(destination[sizeof(long)..]);
    }
}
