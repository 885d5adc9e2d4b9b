using Microsoft.Extensions.Options;
using Sluice.Gateway.Quotas;
using Sluice.Gateway.Quotas.Internal;

namespace Sluice.Gateway.Tests.Quotas;

public sealed class LocalBucketStoreTests
{
    private static readonly BucketRate Records = BucketRate.Of(100, 1);
    private static readonly BucketRate Bytes = BucketRate.Of(10_000, 1);
    private static readonly BucketRate Tenant = BucketRate.Of(1_000_000, 1);

    [Fact]
    public void A_shard_takes_its_burst_then_is_refused_with_the_time_until_it_has_room()
    {
        var (store, clock) = Create();
        Assert.True(store.TakeWrite(Write(Shard("a", records: 10, bytes: 6_000)))[0].IsAdmitted);
        var refused = store.TakeWrite(Write(Shard("a", records: 10, bytes: 6_000)))[0];

        Assert.Equal(BucketKind.ShardBytesIn, refused.RefusedBy);
        // 4,000 bytes left of 10,000 at 10,000/s: 200 ms until 6,000 fit.
        Assert.Equal(TimeSpan.FromMilliseconds(200), refused.RetryAfter);

        clock.Advance(TimeSpan.FromMilliseconds(199));
        Assert.False(store.TakeWrite(Write(Shard("a", records: 10, bytes: 6_000)))[0].IsAdmitted);
        clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.True(store.TakeWrite(Write(Shard("a", records: 10, bytes: 6_000)))[0].IsAdmitted);
    }

    [Fact]
    public void Records_per_second_refuse_many_small_records()
    {
        var (store, _) = Create();
        Assert.True(store.TakeWrite(Write(Shard("a", records: 100, bytes: 100)))[0].IsAdmitted);
        var refused = store.TakeWrite(Write(Shard("a", records: 1, bytes: 1)))[0];
        Assert.Equal(BucketKind.ShardRecordsIn, refused.RefusedBy);
        Assert.Equal(TimeSpan.FromMilliseconds(10), refused.RetryAfter);
    }

    [Fact]
    public void Shards_of_one_put_are_admitted_or_refused_each_on_its_own_and_the_tenant_pays_only_for_the_admitted()
    {
        var (store, _) = Create(tenant: BucketRate.Of(20_000, 1));
        store.TakeWrite(Write(Shard("a", records: 1, bytes: 9_000)));

        var verdicts = store.TakeWrite(Write(Shard("a", records: 1, bytes: 5_000), Shard("b", records: 1, bytes: 5_000)));
        Assert.Equal(BucketKind.ShardBytesIn, verdicts[0].RefusedBy);
        Assert.True(verdicts[1].IsAdmitted);

        // The tenant has paid 9,000 + 5,000 of 20,000: 6,000 more fit, 7,000 do not.
        Assert.Equal(BucketKind.TenantBytesIn, store.TakeWrite(Write(Shard("c", records: 1, bytes: 7_000)))[0].RefusedBy);
        Assert.True(store.TakeWrite(Write(Shard("c", records: 1, bytes: 6_000)))[0].IsAdmitted);
    }

    [Fact]
    public void A_later_shard_of_a_put_sees_the_tenant_bytes_the_earlier_shards_took()
    {
        var (store, _) = Create(tenant: BucketRate.Of(10_000, 1));
        var verdicts = store.TakeWrite(Write(Shard("a", records: 1, bytes: 6_000), Shard("b", records: 1, bytes: 6_000)));
        Assert.True(verdicts[0].IsAdmitted);
        Assert.Equal(BucketKind.TenantBytesIn, verdicts[1].RefusedBy);
    }

    [Fact]
    public void A_stream_limit_refuses_what_the_shards_and_tenant_would_take()
    {
        var (store, _) = Create();
        var demand = Write(Shard("a", records: 1, bytes: 3_000));
        var limited = new WriteDemand
        {
            Shards = demand.Shards, ShardRecords = Records, ShardBytes = Bytes, TenantKey = "t", Tenant = Tenant,
            StreamKey = "s", Stream = BucketRate.Of(4_000, 1), IdleExpiryMs = 60_000,
        };
        Assert.True(store.TakeWrite(limited)[0].IsAdmitted);
        Assert.Equal(BucketKind.StreamBytesIn, store.TakeWrite(limited)[0].RefusedBy);
    }

    [Fact]
    public void A_record_bigger_than_the_burst_passes_when_the_bucket_is_full_and_leaves_it_in_debt()
    {
        var (store, clock) = Create();
        Assert.True(store.TakeWrite(Write(Shard("a", records: 1, bytes: 25_000)))[0].IsAdmitted);
        var refused = store.TakeWrite(Write(Shard("a", records: 1, bytes: 1)))[0];
        Assert.Equal(BucketKind.ShardBytesIn, refused.RefusedBy);
        // 15,000 in debt: 1.5 s to get back to 0, and a little more for the byte.
        Assert.InRange(refused.RetryAfter.TotalMilliseconds, 1_500, 1_501);
        clock.Advance(TimeSpan.FromSeconds(2.5));
        Assert.True(store.TakeWrite(Write(Shard("a", records: 1, bytes: 25_000)))[0].IsAdmitted);
    }

    [Fact]
    public void Each_gateway_takes_its_share_of_the_limits_while_it_limits_alone()
    {
        var (store, _) = Create(gateways: 4);
        // 10,000 bytes/s shared by 4 gateways: 2,500 here.
        Assert.True(store.TakeWrite(Write(Shard("a", records: 1, bytes: 2_500)))[0].IsAdmitted);
        var refused = store.TakeWrite(Write(Shard("a", records: 1, bytes: 100)))[0];
        Assert.Equal(BucketKind.ShardBytesIn, refused.RefusedBy);
        Assert.Equal(TimeSpan.FromMilliseconds(40), refused.RetryAfter);
    }

    [Fact]
    public void Reads_take_calls_and_are_refused_while_egress_is_in_debt()
    {
        var (store, clock) = Create();
        var read = new ReadDemand
        {
            CallsKey = "calls", Calls = BucketRate.Of(5, 1), ShardBytesKey = "out", ShardBytes = BucketRate.Of(2_000, 1),
            TenantKey = "tout", Tenant = Tenant, IdleExpiryMs = 60_000,
        };
        for (var i = 0; i < 5; i++)
        {
            Assert.True(store.TakeRead(read).IsAdmitted);
        }

        var noCall = store.TakeRead(read);
        Assert.Equal(BucketKind.ShardReadCalls, noCall.RefusedBy);
        Assert.Equal(TimeSpan.FromMilliseconds(200), noCall.RetryAfter);

        clock.Advance(TimeSpan.FromSeconds(1));
        store.Charge(read, 6_000);
        var debt = store.TakeRead(read);
        Assert.Equal(BucketKind.ShardBytesOut, debt.RefusedBy);
        Assert.InRange(debt.RetryAfter.TotalMilliseconds, 2_000, 2_001);
        clock.Advance(TimeSpan.FromSeconds(2.1));
        Assert.True(store.TakeRead(read).IsAdmitted);
    }

    [Fact]
    public void Idle_buckets_are_forgotten()
    {
        var (store, clock) = Create();
        store.TakeWrite(Write(Shard("a", records: 1, bytes: 1)));
        Assert.Equal(3, store.Count);
        clock.Advance(TimeSpan.FromMinutes(3));
        store.TakeWrite(Write(Shard("b", records: 1, bytes: 1)));
        // a's two buckets expired; b's two and the tenant's (just used) remain.
        Assert.Equal(3, store.Count);
    }

    private BucketRate _tenant = Tenant;

    private (LocalBucketStore Store, ManualClock Clock) Create(int gateways = 1, BucketRate? tenant = null)
    {
        var clock = new ManualClock();
        _tenant = tenant ?? Tenant;
        var options = Options.Create(new QuotaOptions { GatewayCount = gateways, IdleExpiry = TimeSpan.FromMinutes(2) });
        return (new LocalBucketStore(options, clock), clock);
    }

    private static ShardDemand Shard(string name, int records, long bytes) => new($"{name}:r", $"{name}:b", records, bytes);

    private WriteDemand Write(params ShardDemand[] shards) => new()
    {
        Shards = shards, ShardRecords = Records, ShardBytes = Bytes, TenantKey = "t", Tenant = _tenant, IdleExpiryMs = 60_000,
    };
}
