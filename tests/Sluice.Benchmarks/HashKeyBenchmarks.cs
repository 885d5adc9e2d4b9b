using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Sluice.Core;

namespace Sluice.Benchmarks;

/// <summary>Picking a shard: MD5 of the partition key, once per record on the put path.</summary>
[MemoryDiagnoser]
public class HashKeyBenchmarks
{
    private const string PartitionKey = "user-1234567";

    [Benchmark(Baseline = true, Description = "MD5.HashData one-shot")]
    public UInt128 OneShot()
    {
        Span<byte> digest = stackalloc byte[16];
#pragma warning disable CA5351 // Kinesis' partitioning function, not a security use
        MD5.HashData(Encoding.UTF8.GetBytes(PartitionKey), digest);
#pragma warning restore CA5351
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(digest);
    }

    [Benchmark(Description = "HashKey.FromPartitionKey")]
    public UInt128 Reused() => HashKey.FromPartitionKey(PartitionKey);

    [Benchmark(Description = "SequenceNumber.Encode")]
    public string Sequence() => SequenceNumber.Encode(7, 123_456_789);
}
