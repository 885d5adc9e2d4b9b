namespace Sluice.Cli.Commands.Bench;

/// <summary>What both targets share: waiting for a new stream and the partition keys to spread records with.</summary>
internal static class BenchStreams
{
    public const int ConsumerMaxWaitMs = 1000;
    public const int ConsumerReadLimit = 10_000;
    public static readonly TimeSpan ActiveTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan ActivePollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>When an empty read answers faster than this, a consumer pauses before the next.</summary>
    public static readonly TimeSpan MinEmptyPollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Kinesis' limit of 5 reads per second per shard, which polling consumers (KCL) respect.</summary>
    public const int DefaultPollIntervalMs = 200;


    private const int PartitionKeyCount = 4096;

    /// <summary>
    /// Enough distinct keys that MD5 spreads them evenly over any shard count a benchmark uses;
    /// made once so that picking one per record allocates nothing.
    /// </summary>
    public static readonly string[] PartitionKeys = CreatePartitionKeys();

    private static string[] CreatePartitionKeys()
    {
        var keys = new string[PartitionKeyCount];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = "bench-key-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return keys;
    }

    /// <summary>Polls <paramref name="describe"/> until the stream is ACTIVE; returns its open shards.</summary>
    public static async Task<IReadOnlyList<string>> WaitUntilActiveAsync(
        string name, Func<CancellationToken, Task<(string Status, IReadOnlyList<string> OpenShards)>> describe, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ActiveTimeout);
        try
        {
            while (true)
            {
                var (status, shards) = await describe(timeout.Token);
                if (string.Equals(status, "ACTIVE", StringComparison.OrdinalIgnoreCase))
                {
                    return shards;
                }

                await Task.Delay(ActivePollInterval, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"stream {name} did not become ACTIVE within {ActiveTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>
    /// Writes a batch as a JSON array of records: each stamped with <paramref name="timestamp"/> (<see cref="Stamp"/>),
    /// its data base64 straight from <paramref name="payload"/>, and a random key.
    /// The member names are the API's (REST: records/partitionKey/data; Kinesis: Records/PartitionKey/Data).
    /// </summary>
    public static void WriteRecords(
        System.Text.Json.Utf8JsonWriter json,
        ReadOnlySpan<byte> arrayName,
        ReadOnlySpan<byte> keyName,
        ReadOnlySpan<byte> dataName,
        byte[] payload,
        int recordSize,
        int batchSize,
        Random random,
        long timestamp,
        bool jsonRecords)
    {
        json.WriteStartArray(arrayName);
        for (var i = 0; i < batchSize; i++)
        {
            var record = payload.AsSpan(i * recordSize, recordSize);
            Stamp(record, timestamp, jsonRecords);
            json.WriteStartObject();
            json.WriteString(keyName, PartitionKeys[random.Next(PartitionKeys.Length)]);
            json.WriteBase64String(dataName, record);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>A batch's worth of record payloads, one after the other: random bytes, or JSON records with <see cref="BenchSettings.JsonRecords"/>.</summary>
    public static byte[] CreatePayload(BenchSettings settings, Random random)
    {
        if (settings.JsonRecords)
        {
            return BenchJsonRecords.CreatePayload(settings, random);
        }

        var payload = new byte[settings.BatchSize * settings.RecordSize];
        random.NextBytes(payload);
        return payload;
    }

    /// <summary>Writes the send time into a record: its first 8 bytes, or the <c>sent</c> field of a JSON record.</summary>
    public static void Stamp(Span<byte> record, long timestamp, bool jsonRecords)
    {
        if (jsonRecords)
        {
            BenchJsonRecords.Stamp(record, timestamp);
        }
        else
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(record, timestamp);
        }
    }

    /// <summary>Reads the send time <see cref="Stamp"/> wrote; false when the record cannot carry one.</summary>
    public static bool TryReadTimestamp(ReadOnlySpan<byte> record, bool jsonRecords, out long timestamp)
    {
        if (jsonRecords)
        {
            return BenchJsonRecords.TryReadTimestamp(record, out timestamp);
        }

        if (record.Length < BenchSettings.TimestampBytes)
        {
            timestamp = 0;
            return false;
        }

        timestamp = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(record);
        return true;
    }
}
