namespace Sluice.Core;

/// <summary>The fixed limits of the record API, the same as Kinesis Data Streams'.</summary>
public static class Limits
{
    /// <summary>A partition key is 1 to 256 Unicode characters.</summary>
    public const int MaxPartitionKeyLength = 256;

    /// <summary>A record's data blob plus its partition key may be up to 1 MiB.</summary>
    public const int MaxRecordBytes = 1024 * 1024;

    /// <summary>At most 500 records in one PutRecords call.</summary>
    public const int MaxRecordsPerPut = 500;

    /// <summary>At most 5 MiB of data and partition keys in one PutRecords call.</summary>
    public const int MaxPutBytes = 5 * 1024 * 1024;

    /// <summary>At most 10,000 records returned by one GetRecords call.</summary>
    public const int MaxGetRecords = 10_000;

    /// <summary>GetRecords returns at most about 10 MiB.</summary>
    public const int MaxGetBytes = 10 * 1024 * 1024;

    /// <summary>A stream name is 1 to 128 characters of [a-zA-Z0-9_.-].</summary>
    public const int MaxStreamNameLength = 128;

    /// <summary>Retention may be 24 hours (the default) up to 8,760 hours (365 days).</summary>
    public const int MinRetentionHours = 1;

    /// <summary>The longest retention, 365 days.</summary>
    public const int MaxRetentionHours = 8760;

    /// <summary>Retention when none is asked for.</summary>
    public const int DefaultRetentionHours = 24;

    /// <summary>The longest a reader may long-poll for new records.</summary>
    public const int MaxWaitMilliseconds = 10_000;
}
