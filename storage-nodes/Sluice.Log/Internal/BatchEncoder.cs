namespace Sluice.Log.Internal;

/// <summary>
/// Measures and serialises one append as one batch (<see cref="BatchHeader"/> then <see cref="RecordHeader"/>-framed
/// records; with a cipher, the records sealed behind a <see cref="BatchEnvelope"/>).
/// </summary>
internal static class BatchEncoder
{
    /// <summary>
    /// The encoded size of <paramref name="records"/> as one batch; throws <see cref="ArgumentException"/> for an
    /// empty batch, too many records, a key too long for its u16 length, or too many bytes.
    /// </summary>
    public static int Measure(IReadOnlyList<LogRecord> records, LogOptions options, BatchCipher? cipher = null)
    {
        var count = records.Count;
        if (count == 0)
        {
            throw new ArgumentException("An append needs at least one record.", nameof(records));
        }

        if (count > options.MaxRecordsPerBatch)
        {
            throw new ArgumentException(
                $"An append may carry at most {options.MaxRecordsPerBatch} records ({nameof(LogOptions.MaxRecordsPerBatch)}) but has {count}.",
                nameof(records));
        }

        long length = BatchEnvelope.RecordsStart(cipher is not null);
        for (var i = 0; i < count; i++)
        {
            var record = records[i];
            if (record.Key.Length > RecordHeader.MaxKeyLength)
            {
                throw new ArgumentException(
                    $"Record {i} has a {record.Key.Length}-byte key; keys are at most {RecordHeader.MaxKeyLength} bytes.", nameof(records));
            }

            length += RecordHeader.EncodedLengthOf(record.Key.Length, record.Value.Length);
        }

        if (length > options.MaxBatchBytes)
        {
            throw new ArgumentException(
                $"The append needs {length} bytes on disk; at most {options.MaxBatchBytes} are allowed ({nameof(LogOptions.MaxBatchBytes)}).",
                nameof(records));
        }

        return (int)length;
    }

    /// <summary>
    /// Writes the batch into <paramref name="destination"/>, which is exactly the measured length. False if the
    /// caller changed the records after appending them (their size no longer matches), so one caller's mistake
    /// cannot corrupt the group it was committed with.
    /// </summary>
    public static bool TryEncode(
        Span<byte> destination, long baseOffset, int leaderEpoch, long timestampMs, IReadOnlyList<LogRecord> records, BatchCipher? cipher = null)
    {
        var count = records.Count;
        var position = BatchEnvelope.RecordsStart(cipher is not null);
        for (var i = 0; i < count; i++)
        {
            var record = records[i];
            if (record.Key.Length > RecordHeader.MaxKeyLength
                || RecordHeader.EncodedLengthOf(record.Key.Length, record.Value.Length) > destination.Length - position)
            {
                return false;
            }

            position += RecordHeader.Write(destination[position..], record.Key.Span, record.Value.Span);
        }

        if (position != destination.Length)
        {
            return false;
        }

        WriteHeader(destination, baseOffset, leaderEpoch, timestampMs, count, ProducerBatch.None, cipher);
        return true;
    }

    /// <summary>Validates pre-encoded bodies and returns the batch length and record count they make.</summary>
    public static int MeasureEncoded(IReadOnlyList<ReadOnlyMemory<byte>> chunks, LogOptions options, BatchCipher? cipher, out int recordCount)
    {
        long length = BatchEnvelope.RecordsStart(cipher is not null);
        recordCount = 0;
        for (var i = 0; i < chunks.Count; i++)
        {
            if (!RecordBody.TryCount(chunks[i].Span, out var count))
            {
                throw new ArgumentException($"Encoded chunk {i} is not a whole number of well-formed records.", nameof(chunks));
            }

            recordCount += count;
            length += chunks[i].Length;
        }

        if (recordCount == 0)
        {
            throw new ArgumentException("An append needs at least one record.", nameof(chunks));
        }

        if (recordCount > options.MaxRecordsPerBatch)
        {
            throw new ArgumentException(
                $"An append may carry at most {options.MaxRecordsPerBatch} records ({nameof(LogOptions.MaxRecordsPerBatch)}) but has {recordCount}.",
                nameof(chunks));
        }

        if (length > options.MaxBatchBytes)
        {
            throw new ArgumentException(
                $"The append needs {length} bytes on disk; at most {options.MaxBatchBytes} are allowed ({nameof(LogOptions.MaxBatchBytes)}).",
                nameof(chunks));
        }

        return (int)length;
    }

    /// <summary>Writes a batch from pre-encoded bodies; false if they no longer fill the measured length.</summary>
    public static bool TryEncode(
        Span<byte> destination, long baseOffset, int leaderEpoch, long timestampMs, IReadOnlyList<ReadOnlyMemory<byte>> chunks, int recordCount,
        ProducerBatch producer, BatchCipher? cipher)
    {
        var position = BatchEnvelope.RecordsStart(cipher is not null);
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i].Span;
            if (chunk.Length > destination.Length - position)
            {
                return false;
            }

            chunk.CopyTo(destination[position..]);
            position += chunk.Length;
        }

        if (position != destination.Length)
        {
            return false;
        }

        WriteHeader(destination, baseOffset, leaderEpoch, timestampMs, recordCount, producer, cipher);
        return true;
    }

    /// <summary>
    /// Writes the header of a batch whose records are already in place, seals them when there is a cipher, then
    /// stamps the CRC over what will be on disk.
    /// </summary>
    private static void WriteHeader(
        Span<byte> destination, long baseOffset, int leaderEpoch, long timestampMs, int recordCount, ProducerBatch producer, BatchCipher? cipher)
    {
        new BatchHeader(
            BaseOffset: baseOffset,
            BatchLength: destination.Length,
            LeaderEpoch: leaderEpoch,
            Crc: 0,
            Attributes: cipher is null ? (byte)0 : BatchHeader.EncryptedAttribute,
            RecordCount: recordCount,
            FirstTimestamp: timestampMs,
            MaxTimestamp: timestampMs,
            ProducerId: producer.ProducerId,
            ProducerEpoch: producer.ProducerEpoch,
            BaseSequence: producer.BaseSequence).Write(destination);
        if (cipher is not null)
        {
            BatchEnvelope.Seal(destination, cipher);
        }

        BatchHeader.StampCrc(destination);
    }
}
