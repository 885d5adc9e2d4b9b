using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Sluice.Metadata;

/// <summary>
/// Makes and unwraps the per-stream data keys of encryption at rest. A data key is 32 random bytes (AES-256), stored
/// in <c>streams.encrypted_data_key</c> wrapped by the master key (<see cref="SecretProtectionOptions"/>) with
/// AES-256-GCM under a key derived for this purpose only, and bound to the stream id: a wrapped key copied to another
/// stream's row does not unwrap. Master key rotation works as for every <see cref="SecretProtector"/> value: the
/// wrapped key names its master key version, and retired versions keep unwrapping. Thread-safe; keys are never logged.
/// </summary>
public sealed class StreamDataKeys
{
    /// <summary>Bytes of a data key.</summary>
    public const int DataKeySize = 32;

    private static readonly byte[] Label = "sluice/stream-data-keys/aes-256-gcm/v1"u8.ToArray();
    private static readonly byte[] Purpose = "stream-data-key:"u8.ToArray();

    private readonly SecretProtector _protector;

    /// <summary>Derives the wrapping keys; throws when <paramref name="options"/> are invalid (no master key, bad base64).</summary>
    public StreamDataKeys(SecretProtectionOptions options) => _protector = new SecretProtector(options, Label);

    /// <summary>A new random data key for <paramref name="streamId"/>, wrapped; the plaintext key is wiped before this returns.</summary>
    public byte[] CreateWrapped(long streamId)
    {
        var key = RandomNumberGenerator.GetBytes(DataKeySize);
        try
        {
            return _protector.Protect(key, AssociatedData(streamId));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// The data key of <paramref name="streamId"/>. Throws <see cref="CryptographicException"/> when the wrapped key was
    /// changed, belongs to another stream or was wrapped under a master key version that is not configured. The
    /// caller wipes the result when done with it.
    /// </summary>
    public byte[] Unwrap(long streamId, ReadOnlySpan<byte> wrapped)
    {
        var key = _protector.Unprotect(wrapped, AssociatedData(streamId));
        if (key.Length != DataKeySize)
        {
            CryptographicOperations.ZeroMemory(key);
            throw new CryptographicException($"The data key of stream {streamId} is {key.Length} bytes, not {DataKeySize}.");
        }

        return key;
    }

    private static byte[] AssociatedData(long streamId)
    {
        var data = new byte[Purpose.Length + sizeof(long)];
        Purpose.CopyTo(data, 0);
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(Purpose.Length), streamId);
        return data;
    }
}
