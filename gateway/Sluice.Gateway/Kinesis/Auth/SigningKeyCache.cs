using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Gateway.Kinesis.Auth;

/// <summary>
/// SigV4 signing keys, derived once per (secret, day, region, service) with the HMAC chain
/// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
/// </summary>
internal sealed class SigningKeyCache(int maxEntries)
{
    private const int KeySize = 32;
    private const int StackLimit = 256;
    private static readonly byte[] SecretPrefix = "AWS4"u8.ToArray();
    private static readonly byte[] Terminator = "aws4_request"u8.ToArray();

    private readonly ConcurrentDictionary<(string Secret, string Date, string Region, string Service), byte[]> _keys = new();

    public int Count => _keys.Count;

    public byte[] Get(string secret, string date, string region, string service)
    {
        var cacheKey = (secret, date, region, service);
        if (_keys.TryGetValue(cacheKey, out var key))
        {
            return key;
        }

        key = Derive(secret, date, region, service);
        if (_keys.Count >= maxEntries)
        {
            // Keys are per day: old days pile up. Starting over costs one derivation per key.
            _keys.Clear();
        }

        _keys[cacheKey] = key;
        return key;
    }

    public static byte[] Derive(string secret, string date, string region, string service)
    {
        var secretLength = SecretPrefix.Length + Encoding.UTF8.GetByteCount(secret);
        var rented = secretLength > StackLimit ? ArrayPool<byte>.Shared.Rent(secretLength) : null;
        Span<byte> kSecret = rented is null ? stackalloc byte[StackLimit] : rented;
        kSecret = kSecret[..secretLength];
        Span<byte> a = stackalloc byte[KeySize];
        Span<byte> b = stackalloc byte[KeySize];
        Span<byte> text = stackalloc byte[StackLimit];
        try
        {
            SecretPrefix.CopyTo(kSecret);
            Encoding.UTF8.GetBytes(secret, kSecret[SecretPrefix.Length..]);
            HMACSHA256.HashData(kSecret, text[..Encoding.UTF8.GetBytes(date, text)], a);
            HMACSHA256.HashData(a, text[..Encoding.UTF8.GetBytes(region, text)], b);
            HMACSHA256.HashData(b, text[..Encoding.UTF8.GetBytes(service, text)], a);
            var signingKey = new byte[KeySize];
            HMACSHA256.HashData(a, Terminator, signingKey);
            return signingKey;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kSecret);
            CryptographicOperations.ZeroMemory(a);
            CryptographicOperations.ZeroMemory(b);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
