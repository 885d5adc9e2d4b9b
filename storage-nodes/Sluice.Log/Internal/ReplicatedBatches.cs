namespace Sluice.Log.Internal;

/// <summary>Checks batches a follower received from its leader before any of them is written.</summary>
internal static class ReplicatedBatches
{
    /// <summary>
    /// Validates <paramref name="batches"/> as whole batches back to back: framing, magic, CRC, well-formed records (of plain batches),
    /// contiguous offsets and non-decreasing, non-negative leader epochs. Throws <see cref="InvalidDataException"/>
    /// naming the first problem. What depends on the log (the first base offset, the latest epoch) is checked by
    /// the writer, in order with concurrent appends.
    /// </summary>
    public static void Validate(ReadOnlySpan<byte> batches, out long baseOffset, out int recordCount, out int firstEpoch)
    {
        baseOffset = -1;
        firstEpoch = -1;
        long records = 0;
        var expected = -1L;
        var epoch = -1;
        var at = 0;
        while (at < batches.Length)
        {
            var remaining = batches.Length - at;
            if (remaining < BatchHeader.Size)
            {
                throw Invalid(at, $"{remaining} bytes left, less than a batch header");
            }

            var header = BatchHeader.Read(batches[at..]);
            if (expected < 0)
            {
                if (header.BaseOffset < 0)
                {
                    throw Invalid(at, $"negative base offset {header.BaseOffset}");
                }

                expected = header.BaseOffset;
                baseOffset = header.BaseOffset;
                firstEpoch = header.LeaderEpoch;
            }

            if (header.Validate(expected, remaining) is { } problem)
            {
                throw Invalid(at, problem);
            }

            var batch = batches.Slice(at, header.BatchLength);
            if (!BatchHeader.HasValidCrc(batch))
            {
                throw Invalid(at, $"CRC mismatch in the batch at offset {header.BaseOffset}");
            }

            // Sealed records are checked when a reader opens them (with the key a follower does not need): the CRC
            // and the header's bounds are what can be checked here.
            if (!header.IsEncrypted && (!RecordBody.TryCount(batch[BatchHeader.Size..], out var count) || count != header.RecordCount))
            {
                throw Invalid(at, $"the batch at offset {header.BaseOffset} does not hold {header.RecordCount} well-formed records");
            }

            if (header.LeaderEpoch < 0 || header.LeaderEpoch < epoch)
            {
                throw Invalid(at, $"leader epoch {header.LeaderEpoch} of the batch at offset {header.BaseOffset} after epoch {epoch}");
            }

            epoch = header.LeaderEpoch;
            records += header.RecordCount;
            expected = header.NextOffset;
            at += header.BatchLength;
        }

        if (records > int.MaxValue)
        {
            throw new InvalidDataException($"Replicated batches carry {records} records; at most {int.MaxValue} per call.");
        }

        recordCount = (int)records;
    }

    private static InvalidDataException Invalid(int position, string problem) =>
        new($"Replicated batches rejected at byte {position}: {problem}. Nothing of them was written.");
}
