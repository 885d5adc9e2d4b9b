namespace Sluice.Gateway.Records;

/// <summary>The per-record results of a put, in request order.</summary>
public sealed class PutOutcome(PutRecordResult[] results)
{
    public PutRecordResult[] Results { get; } = results;

    public int FailedCount { get; } = results.Count(r => !r.Succeeded);

    /// <summary>True when nothing was written because storage was unavailable for every record: the whole call is retriable.</summary>
    public bool AllUnavailable => Results.Length > 0 && Results.All(r => r.ErrorCode == PutRecordResult.ServiceUnavailable);
}
