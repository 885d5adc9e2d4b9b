namespace Sluice.Core;

/// <summary>Validation of names and records, shared by every face so that errors read the same everywhere.</summary>
public static class RecordRules
{
    /// <summary>Null when the stream name is valid, else the reason.</summary>
    public static string? ValidateStreamName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "Stream name must not be empty.";
        }

        if (name.Length > Limits.MaxStreamNameLength)
        {
            return $"Stream name must be at most {Limits.MaxStreamNameLength} characters long.";
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return "Stream name may contain only letters, digits, '_', '-' and '.'.";
            }
        }

        return null;
    }

    /// <summary>
    /// Null when the partition key is valid, else the reason. The length is counted in Unicode
    /// characters (code points), as Kinesis counts it.
    /// </summary>
    public static string? ValidatePartitionKey(string? partitionKey)
    {
        if (string.IsNullOrEmpty(partitionKey))
        {
            return "Partition key must not be empty.";
        }

        // UTF-16 length bounds the code points from above, so only long keys need counting.
        if (partitionKey.Length > Limits.MaxPartitionKeyLength
            && (partitionKey.Length > Limits.MaxPartitionKeyLength * 2 || CountCodePoints(partitionKey) > Limits.MaxPartitionKeyLength))
        {
            return $"Partition key must be at most {Limits.MaxPartitionKeyLength} characters long.";
        }

        return null;
    }

    /// <summary>Null when the data blob and partition key fit in one record, else the reason.</summary>
    public static string? ValidateRecordSize(int dataLength, int partitionKeyUtf8Length)
    {
        if ((long)dataLength + partitionKeyUtf8Length > Limits.MaxRecordBytes)
        {
            return $"Record size {dataLength + partitionKeyUtf8Length} bytes exceeds the limit of {Limits.MaxRecordBytes} bytes (1 MiB) for data plus partition key.";
        }

        return null;
    }

    private static int CountCodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }
}
