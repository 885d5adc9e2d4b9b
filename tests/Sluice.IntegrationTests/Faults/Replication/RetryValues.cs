namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>What the workload sends again after a failed or timed-out put.</summary>
internal enum RetryValues
{
    /// <summary>
    /// New unique values: the failed ones are recorded as unknown (written or not). Without an
    /// idempotent producer this is the only retry after which a value read twice is a real bug.
    /// </summary>
    Fresh,

    /// <summary>The very same records, as a real client retries: needs the idempotent producer to stay free of duplicates.</summary>
    Same,
}
