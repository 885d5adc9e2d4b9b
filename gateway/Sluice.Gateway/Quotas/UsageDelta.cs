namespace Sluice.Gateway.Quotas;

/// <summary>Usage of one tenant's stream in one minute, to be added to its <c>usage_minutes</c> row.</summary>
public sealed record UsageDelta(Guid TenantId, string Stream, DateTimeOffset Minute, long RecordsIn, long BytesIn, long RecordsOut, long BytesOut, long Throttled)
{
    public bool IsEmpty => RecordsIn == 0 && BytesIn == 0 && RecordsOut == 0 && BytesOut == 0 && Throttled == 0;
}
