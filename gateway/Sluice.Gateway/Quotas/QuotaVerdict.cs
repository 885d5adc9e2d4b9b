namespace Sluice.Gateway.Quotas;

/// <summary>A quota's answer for one shard of a put, or for a read: admitted, or which bucket refused and when it has room.</summary>
public readonly record struct QuotaVerdict(BucketKind RefusedBy, TimeSpan RetryAfter)
{
    public static QuotaVerdict Admitted => default;

    public bool IsAdmitted => RefusedBy == BucketKind.None;

    internal static QuotaVerdict FromScript(long kind, long waitMs) =>
        kind == 0 ? Admitted : new QuotaVerdict((BucketKind)kind, TimeSpan.FromMilliseconds(Math.Max(1, waitMs)));
}
