using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Sluice.Metadata;

namespace Sluice.Gateway.Kinesis;

/// <summary>Where an iterator reads next: a concrete offset, or a position resolved by the next read.</summary>
public enum IteratorKind : byte
{
    /// <summary><see cref="ShardIterator.Position"/> is the offset of the next record.</summary>
    Offset = 1,

    /// <summary>The oldest record still retained (TRIM_HORIZON).</summary>
    TrimHorizon = 2,

    /// <summary>The first record at or after <see cref="ShardIterator.Position"/> (epoch milliseconds).</summary>
    Timestamp = 3,
}

/// <summary>The decoded content of a shard iterator.</summary>
public sealed record ShardIterator(Guid TenantId, long StreamId, string StreamName, int ShardIndex, IteratorKind Kind, long Position, DateTimeOffset CreatedAt);

/// <summary>
/// Shard iterators as opaque, tamper-proof strings: the position sealed with AES-GCM under a key
/// derived from the master key, bound to the tenant, stream and shard, with the creation time so it
/// expires. A forged, altered or foreign iterator fails authentication and is refused.
/// </summary>
public sealed class ShardIterators
{
    private const byte Version = 1;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int FixedBytes = 1 + 16 + 8 + 4 + 1 + 8 + 8 + 1; // version, tenant, stream id, shard, kind, position, created, name length
    private static readonly byte[] KeyLabel = "sluice/kinesis/shard-iterator/v1"u8.ToArray();

    private readonly byte[] _key;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;

    public ShardIterators(SecretProtectionOptions protection, IOptions<KinesisOptions> options, TimeProvider time)
    {
        var master = Convert.FromBase64String(protection.MasterKey);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, salt: [], info: KeyLabel);
        _lifetime = options.Value.IteratorLifetime;
        _time = time;
    }

    /// <summary>Seals an iterator created now.</summary>
    public string Create(Guid tenantId, long streamId, string streamName, int shardIndex, IteratorKind kind, long position)
    {
        var name = Encoding.UTF8.GetBytes(streamName);
        var plain = new byte[FixedBytes + name.Length];
        var span = plain.AsSpan();
        span[0] = Version;
        tenantId.TryWriteBytes(span.Slice(1, 16));
        BinaryPrimitives.WriteInt64LittleEndian(span[17..], streamId);
        BinaryPrimitives.WriteInt32LittleEndian(span[25..], shardIndex);
        span[29] = (byte)kind;
        BinaryPrimitives.WriteInt64LittleEndian(span[30..], position);
        BinaryPrimitives.WriteInt64LittleEndian(span[38..], _time.GetUtcNow().ToUnixTimeMilliseconds());
        span[46] = checked((byte)name.Length);
        name.CopyTo(span[FixedBytes..]);

        var sealedBytes = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceBytes, plain.Length), sealedBytes.AsSpan(NonceBytes + plain.Length));
        return Convert.ToBase64String(sealedBytes);
    }

    /// <summary>
    /// Opens an iterator of <paramref name="tenantId"/>; throws Kinesis' InvalidArgumentException
    /// for anything not made here for that tenant and ExpiredIteratorException once it has expired.
    /// </summary>
    public ShardIterator Open(string? iterator, Guid tenantId)
    {
        if (string.IsNullOrEmpty(iterator) || iterator.Length > 512)
        {
            throw Invalid(iterator);
        }

        var sealedBytes = new byte[iterator.Length * 3 / 4];
        if (!Convert.TryFromBase64String(iterator, sealedBytes, out var length) || length < NonceBytes + FixedBytes + TagBytes)
        {
            throw Invalid(iterator);
        }

        var plainLength = length - NonceBytes - TagBytes;
        var plain = new byte[plainLength];
        try
        {
            using var aes = new AesGcm(_key, TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, plainLength), sealedBytes.AsSpan(NonceBytes + plainLength, TagBytes), plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw Invalid(iterator);
        }

        var span = plain.AsSpan();
        if (span[0] != Version || span[46] != plainLength - FixedBytes)
        {
            throw Invalid(iterator);
        }

        var decoded = new ShardIterator(
            new Guid(span.Slice(1, 16)),
            BinaryPrimitives.ReadInt64LittleEndian(span[17..]),
            Encoding.UTF8.GetString(span[FixedBytes..]),
            BinaryPrimitives.ReadInt32LittleEndian(span[25..]),
            (IteratorKind)span[29],
            BinaryPrimitives.ReadInt64LittleEndian(span[30..]),
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(span[38..])));

        // Another tenant's iterator is as meaningless here as a forged one.
        if (decoded.TenantId != tenantId)
        {
            throw Invalid(iterator);
        }

        var now = _time.GetUtcNow();
        if (now - decoded.CreatedAt > _lifetime)
        {
            throw new KinesisException(KinesisException.ExpiredIterator,
                $"Iterator expired. The iterator was created at time {Format(decoded.CreatedAt)} while right now it is {Format(now)} which is further in the future than the tolerated delay of {(long)_lifetime.TotalMilliseconds} milliseconds.");
        }

        return decoded;
    }

    private static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("ddd MMM dd HH:mm:ss 'UTC' yyyy", System.Globalization.CultureInfo.InvariantCulture);

    private static KinesisException Invalid(string? iterator) =>
        new(KinesisException.InvalidArgument, $"Invalid ShardIterator: '{Truncate(iterator)}' is not an iterator this service issued.");

    private static string Truncate(string? text) => text is null ? "null" : text.Length <= 64 ? text : text[..64] + "...";
}
