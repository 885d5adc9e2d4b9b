using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Sluice.Log;

/// <summary>
/// AES-256-GCM under one data key, identified by a key version that is stored in every batch it seals. A log uses it
/// through <see cref="LogEncryption"/> to encrypt the records of new batches and to decrypt stored ones; where the key
/// comes from (and how it is kept) is the host's business. Thread-safe: the writer and any number of readers share
/// one instance, each operation on a pooled <see cref="AesGcm"/> so the key schedule is set up once, not per batch.
/// </summary>
/// <remarks>
/// Nonces are a random 8-byte prefix drawn per instance followed by a 4-byte counter; when the counter wraps a new
/// prefix is drawn. Within an instance no nonce repeats, and two instances (other shards, restarts, other replicas
/// leading later) collide only if their 64-bit random prefixes do, which keeps far more batches per key safe than
/// fully random 96-bit nonces would.
/// </remarks>
public sealed class BatchCipher : IDisposable
{
    /// <summary>Bytes of an AES-256 key.</summary>
    public const int KeySize = 32;

    internal const int NonceSize = 12;
    internal const int TagSize = 16;

    private const int NoncePrefixSize = 8;

    private readonly byte[] _key;
    private readonly ConcurrentQueue<AesGcm> _pool = new();
    private readonly int _maxPooled = Math.Max(4, Environment.ProcessorCount * 2);
    private readonly Lock _nonceLock = new();
    private readonly byte[] _noncePrefix = new byte[NoncePrefixSize];
    private uint _counter;
    private int _pooled;
    private volatile bool _disposed;

    /// <summary>A cipher for <paramref name="key"/> (<see cref="KeySize"/> bytes, copied) known as <paramref name="keyVersion"/>.</summary>
    public BatchCipher(int keyVersion, ReadOnlySpan<byte> key)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keyVersion);
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"A batch key is {KeySize} bytes (AES-256), not {key.Length}.", nameof(key));
        }

        KeyVersion = keyVersion;
        _key = key.ToArray();
        RandomNumberGenerator.Fill(_noncePrefix);
    }

    /// <summary>The version written into batches this cipher seals, by which a reader finds the key again.</summary>
    public int KeyVersion { get; }

    /// <summary>Encrypts <paramref name="body"/> in place, writing a fresh nonce and the tag, authenticating <paramref name="associatedData"/>.</summary>
    internal void Seal(Span<byte> nonce, ReadOnlySpan<byte> associatedData, Span<byte> body, Span<byte> tag)
    {
        NextNonce(nonce);
        var aes = Rent();
        try
        {
            aes.Encrypt(nonce, body, body, tag, associatedData);
        }
        finally
        {
            Return(aes);
        }
    }

    /// <summary>Decrypts <paramref name="body"/> in place; false (and the body garbage) when authentication fails.</summary>
    internal bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, Span<byte> body, ReadOnlySpan<byte> tag)
    {
        var aes = Rent();
        try
        {
            aes.Decrypt(nonce, body, tag, body, associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        finally
        {
            Return(aes);
        }
    }

    /// <summary>Wipes the key and releases the pooled cipher contexts; later use throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_key);
        while (_pool.TryDequeue(out var aes))
        {
            aes.Dispose();
        }
    }

    private void NextNonce(Span<byte> nonce)
    {
        lock (_nonceLock)
        {
            if (_counter == uint.MaxValue)
            {
                RandomNumberGenerator.Fill(_noncePrefix);
                _counter = 0;
            }

            _noncePrefix.CopyTo(nonce);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(nonce[NoncePrefixSize..], _counter++);
        }
    }

    private AesGcm Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pool.TryDequeue(out var aes))
        {
            Interlocked.Decrement(ref _pooled);
            return aes;
        }

        return new AesGcm(_key, TagSize);
    }

    private void Return(AesGcm aes)
    {
        if (_disposed || Interlocked.Increment(ref _pooled) > _maxPooled)
        {
            Interlocked.Decrement(ref _pooled);
            aes.Dispose();
            return;
        }

        _pool.Enqueue(aes);
    }
}
