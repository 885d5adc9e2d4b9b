namespace Sluice.Metadata.Model;

/// <summary>What a tenant did with one stream in one minute (UTC, truncated); rows are added to, never replaced.</summary>
public sealed class UsageMinute
{
    public Guid TenantId { get; set; }

    /// <summary>The stream's name (kept after the stream is deleted, so usage stays billable).</summary>
    public required string StreamName { get; set; }

    /// <summary>The start of the minute.</summary>
    public DateTimeOffset Minute { get; set; }

    public long RecordsIn { get; set; }

    public long BytesIn { get; set; }

    public long RecordsOut { get; set; }

    public long BytesOut { get; set; }

    /// <summary>Requests (or, in PutRecords, records) refused by a quota.</summary>
    public long Throttled { get; set; }
}
