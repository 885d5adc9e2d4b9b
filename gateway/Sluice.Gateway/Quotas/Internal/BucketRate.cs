namespace Sluice.Gateway.Quotas.Internal;

/// <summary>A token bucket's refill rate per second and its capacity (the burst).</summary>
internal readonly record struct BucketRate(double PerSecond, double Capacity)
{
    public static BucketRate Of(long perSecond, double burstSeconds) => new(perSecond, Math.Max(1, perSecond * burstSeconds));

    /// <summary>This gateway's share when <paramref name="gateways"/> gateways limit on their own.</summary>
    public BucketRate Share(int gateways) => gateways <= 1 ? this : new(PerSecond / gateways, Math.Max(1, Capacity / gateways));
}
