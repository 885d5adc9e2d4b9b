using System.Security.Cryptography;
using System.Text;

namespace Sluice.Log.Tests;

public sealed class EncryptionTests : IDisposable
{
    private static readonly byte[] Marker = "SECRET-MARKER-7f3a"u8.ToArray();
    private readonly TempDirectory _temp = new();
    private readonly TempDirectory _followerDir = new();
    private readonly BatchCipher _key1 = new(1, RandomNumberGenerator.GetBytes(BatchCipher.KeySize));
    private readonly BatchCipher _key2 = new(2, RandomNumberGenerator.GetBytes(BatchCipher.KeySize));

    public void Dispose()
    {
        _key1.Dispose();
        _key2.Dispose();
        _temp.Dispose();
        _followerDir.Dispose();
    }

    private LogEncryption Encrypting => new([_key1], _key1);

    private LogEncryption ReadOnlyKeys => new([_key1], encryptWith: null);

    [Fact]
    public async Task Encrypted_batches_read_back_in_order_and_their_plaintext_is_not_on_disk()
    {
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            log.Encryption = Encrypting;
            await log.AppendAsync(MarkedRecords(3, "a"), 1);
            await log.AppendEncodedAsync([MarkedChunk(4, "b")], 1, new ProducerBatch(7, 0, 0));

            var all = await TestRecords.ReadAllAsync(log);
            Assert.Equal(Enumerable.Range(0, 7).Select(i => (long)i), all.Select(r => r.Offset));
            Assert.Equal("a0", Label(all[0]));
            Assert.Equal("b3", Label(all[6]));
            Assert.True(all[6].Value.Span.StartsWith(Marker));
            Assert.Equal("k2", TestRecords.Text(all[2].Key));

            // Headers stay in plain: producer state and timestamps come from them without a key.
            var summaries = await log.ReadBatchSummariesAsync(0, 10);
            Assert.Equal([0L, 3L], summaries.Select(s => s.BaseOffset));
            Assert.Equal(7, summaries[1].ProducerId);
            Assert.Equal(0, await log.FindOffsetByTimestampAsync(0));
        }

        Assert.False(Contains(Replication.SegmentBytes(_temp.Path), Marker));
    }

    [Fact]
    public async Task Plain_and_encrypted_batches_mix_in_one_segment_and_stay_readable_after_encryption_stops_and_a_reopen()
    {
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            await log.AppendAsync(MarkedRecords(2, "plain-before"), 1);
            log.Encryption = Encrypting;
            await log.AppendAsync(MarkedRecords(2, "sealed"), 1);
            log.Encryption = ReadOnlyKeys;
            await log.AppendAsync(MarkedRecords(2, "plain-after"), 1);
            Assert.Equal(1, log.SegmentCount);
        }

        var disk = Replication.SegmentBytes(_temp.Path);
        Assert.True(Contains(disk, Encoding.UTF8.GetBytes("plain-before")));
        Assert.True(Contains(disk, Encoding.UTF8.GetBytes("plain-after")));
        Assert.False(Contains(disk, Encoding.UTF8.GetBytes("sealed")));

        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            log.Encryption = ReadOnlyKeys;
            var labels = (await TestRecords.ReadAllAsync(log)).Select(Label).ToList();
            Assert.Equal(["plain-before0", "plain-before1", "sealed0", "sealed1", "plain-after0", "plain-after1"], labels);
        }
    }

    [Fact]
    public async Task Reading_an_encrypted_batch_without_its_key_or_with_another_key_fails_as_corrupt_and_returns_nothing()
    {
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            await log.AppendAsync(MarkedRecords(2, "plain"), 1);
            log.Encryption = Encrypting;
            await log.AppendAsync(MarkedRecords(2, "sealed"), 1);
        }

        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            // The plain batch before it reads without a key.
            var plain = await log.ReadAsync(0, 2, 1 << 20);
            Assert.Equal(2, plain.Records.Count);

            var missing = await Assert.ThrowsAsync<InvalidDataException>(async () => await log.ReadAsync(2, 10, 1 << 20));
            Assert.Contains("key version 1", missing.Message, StringComparison.Ordinal);

            using var impostor = new BatchCipher(1, RandomNumberGenerator.GetBytes(BatchCipher.KeySize));
            log.Encryption = new LogEncryption([impostor], null);
            var wrong = await Assert.ThrowsAsync<InvalidDataException>(async () => await log.ReadAsync(0, 10, 1 << 20));
            Assert.Contains("failed authentication", wrong.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_tampered_ciphertext_with_a_recomputed_crc_is_never_returned_as_data()
    {
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            log.Encryption = Encrypting;
            await log.AppendAsync(MarkedRecords(3, "x"), 1);
        }

        // Flip a ciphertext byte and fix the CRC, as someone rewriting the file (not a torn write) would.
        var path = TestRecords.TailSegment(_temp.Path);
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x40;
        StampCrc(bytes);
        File.WriteAllBytes(path, bytes);

        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            Assert.Equal(3, log.LogEndOffset); // the CRC is right, so recovery keeps the batch
            log.Encryption = Encrypting;
            var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await log.ReadAsync(0, 10, 1 << 20));
            Assert.Contains("failed authentication", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_header_field_changed_under_a_sealed_body_fails_authentication()
    {
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            log.Encryption = Encrypting;
            await log.AppendAsync(MarkedRecords(3, "x"), 1);
        }

        var path = TestRecords.TailSegment(_temp.Path);
        var bytes = File.ReadAllBytes(path);
        bytes[50] ^= 0x01; // ProducerId: in the associated data, not in the ciphertext
        StampCrc(bytes);
        File.WriteAllBytes(path, bytes);

        await using var reopened = PartitionLog.Open(_temp.Path, LogOptions.Default);
        Assert.Equal(3, reopened.LogEndOffset);
        reopened.Encryption = Encrypting;
        await Assert.ThrowsAsync<InvalidDataException>(async () => await reopened.ReadAsync(0, 10, 1 << 20));
    }

    [Fact]
    public async Task A_torn_encrypted_tail_is_cut_at_recovery_and_appends_continue_encrypted()
    {
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            log.Encryption = Encrypting;
            await log.AppendAsync(MarkedRecords(2, "first"), 1);
            await log.AppendAsync(MarkedRecords(2, "second"), 1);
        }

        var path = TestRecords.TailSegment(_temp.Path);
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.SetLength(file.Length - 7); // a crash in the middle of the last batch
        }

        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            Assert.Equal(2, log.LogEndOffset);
            log.Encryption = Encrypting;
            await log.AppendAsync(MarkedRecords(1, "third"), 1);
            Assert.Equal(["first0", "first1", "third0"], (await TestRecords.ReadAllAsync(log)).Select(Label));
        }

        Assert.False(Contains(Replication.SegmentBytes(_temp.Path), Marker));
    }

    [Fact]
    public async Task Encrypted_batches_replicate_verbatim_to_a_follower_without_its_key_and_read_there_with_it()
    {
        await using var leader = PartitionLog.Open(_temp.Path, LogOptions.Default);
        leader.Encryption = Encrypting;
        await leader.AppendAsync(MarkedRecords(3, "r"), 1);
        leader.Encryption = new LogEncryption([_key1, _key2], _key2); // a newer key version for new batches
        await leader.AppendAsync(MarkedRecords(2, "s"), 2);

        await using var follower = PartitionLog.Open(_followerDir.Path, LogOptions.Default);
        await Replication.CatchUpAsync(leader, follower);

        Assert.Equal(Replication.SegmentBytes(_temp.Path), Replication.SegmentBytes(_followerDir.Path));
        Assert.Equal(await leader.ReadBatchSummariesAsync(0, 10), await follower.ReadBatchSummariesAsync(0, 10));
        await Assert.ThrowsAsync<InvalidDataException>(async () => await follower.ReadAsync(0, 10, 1 << 20));

        follower.Encryption = new LogEncryption([_key1, _key2], null);
        Assert.Equal(["r0", "r1", "r2", "s0", "s1"], (await TestRecords.ReadAllAsync(follower)).Select(Label));
    }

    [Fact]
    public async Task Truncating_inside_an_encrypted_batch_reseals_the_kept_records()
    {
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            log.Encryption = Encrypting;
            await log.AppendAsync(MarkedRecords(5, "a"), 1);
            await log.AppendAsync(MarkedRecords(5, "b"), 1);

            await log.TruncateToAsync(7);

            Assert.Equal(["a0", "a1", "a2", "a3", "a4", "b0", "b1"], (await TestRecords.ReadAllAsync(log)).Select(Label));
        }

        Assert.False(Contains(Replication.SegmentBytes(_temp.Path), Marker));
        await using (var log = PartitionLog.Open(_temp.Path, LogOptions.Default))
        {
            Assert.Equal(7, log.LogEndOffset);
            log.Encryption = ReadOnlyKeys;
            Assert.Equal(7, (await TestRecords.ReadAllAsync(log)).Count);
            var next = await log.AppendAsync(MarkedRecords(1, "c"), 2);
            Assert.Equal(7, next.BaseOffset);
        }
    }

    [Fact]
    public async Task Encryption_grows_each_batch_by_a_fixed_envelope_only()
    {
        await using var plain = PartitionLog.Open(_temp.Path, LogOptions.Default);
        await plain.AppendAsync(MarkedRecords(10, "p"), 1);
        await using var sealedLog = PartitionLog.Open(_followerDir.Path, LogOptions.Default);
        sealedLog.Encryption = Encrypting;
        await sealedLog.AppendAsync(MarkedRecords(10, "p"), 1);

        Assert.Equal(plain.SizeInBytes + 32, sealedLog.SizeInBytes);
    }

    [Fact]
    public void Two_keys_with_one_version_are_refused_and_a_key_must_be_aes_256()
    {
        using var other = new BatchCipher(1, RandomNumberGenerator.GetBytes(BatchCipher.KeySize));
        Assert.Throws<ArgumentException>(() => new LogEncryption([_key1, other], null));
        Assert.Throws<ArgumentException>(() => new BatchCipher(3, new byte[16]));
    }

    private static LogRecord[] MarkedRecords(int count, string label) =>
        [.. Enumerable.Range(0, count).Select(i => new LogRecord(Encoding.UTF8.GetBytes($"k{i}"), (byte[])[.. Marker, .. Encoding.UTF8.GetBytes($"|{label}{i}")]))];

    private static ReadOnlyMemory<byte> MarkedChunk(int count, string label)
    {
        var records = MarkedRecords(count, label);
        var chunk = new byte[records.Sum(r => RecordBody.EncodedLength(r.Key.Length, r.Value.Length))];
        var at = 0;
        foreach (var record in records)
        {
            at += RecordBody.Write(chunk.AsSpan(at), record.Key.Span, record.Value.Span);
        }

        return chunk;
    }

    private static string Label(StoredRecord record)
    {
        var text = TestRecords.Text(record.Value);
        return text[(text.IndexOf('|', StringComparison.Ordinal) + 1)..];
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static void StampCrc(byte[] segment)
    {
        // One batch per file in these tests: re-stamp its CRC over [24, length).
        var crc = Sluice.Log.Internal.Crc32C.Compute(segment.AsSpan(24));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(segment.AsSpan(20), crc);
    }
}
