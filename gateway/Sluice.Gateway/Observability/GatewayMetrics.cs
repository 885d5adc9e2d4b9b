using System.Diagnostics.Metrics;

namespace Sluice.Gateway.Observability;

/// <summary>
/// The gateway's instruments (Meter <see cref="MeterName"/>, scraped by Prometheus on <c>/metrics</c>): records and bytes
/// in and out, requests and records refused by a quota per face and bucket, and whether quotas run on the local fallback.
/// Counters take a handful of tags from fixed sets, so recording allocates nothing.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "Sluice.Gateway";

    private readonly Meter _meter;
    private readonly Counter<long> _recordsIn;
    private readonly Counter<long> _bytesIn;
    private readonly Counter<long> _recordsOut;
    private readonly Counter<long> _bytesOut;
    private readonly Counter<long> _throttledRequests;
    private readonly Counter<long> _throttledRecords;
    private Func<int>? _fallback;

    public GatewayMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        _recordsIn = _meter.CreateCounter<long>("sluice.gateway.records.in", "{record}", "Records written (acknowledged or, with acks=none, accepted).");
        _bytesIn = _meter.CreateCounter<long>("sluice.gateway.in", "By", "Bytes of data and partition keys written.");
        _recordsOut = _meter.CreateCounter<long>("sluice.gateway.records.out", "{record}", "Records read.");
        _bytesOut = _meter.CreateCounter<long>("sluice.gateway.out", "By", "Bytes of data and partition keys read.");
        _throttledRequests = _meter.CreateCounter<long>("sluice.gateway.throttled.requests", "{request}",
            "Requests refused whole by a quota (PutRecord, GetRecords, a put whose every record was refused), by face and bucket.");
        _throttledRecords = _meter.CreateCounter<long>("sluice.gateway.throttled.records", "{record}",
            "Records of puts refused by a quota, by face and bucket.");
        _meter.CreateObservableGauge("sluice.gateway.quota.fallback", () => _fallback?.Invoke() ?? 0, "{state}",
            "1 while Redis is unavailable and quotas are kept by this gateway's local limiter, else 0.");
    }

    /// <summary>Where the fallback gauge reads its value (the quota limiter registers itself).</summary>
    internal void ObserveFallback(Func<int> fallback) => _fallback = fallback;

    public void RecordsIn(long records, long bytes)
    {
        _recordsIn.Add(records);
        _bytesIn.Add(bytes);
    }

    public void RecordsOut(long records, long bytes)
    {
        _recordsOut.Add(records);
        _bytesOut.Add(bytes);
    }

    public void Throttled(string face, string bucket, long records, bool wholeRequest)
    {
        var faceTag = new KeyValuePair<string, object?>("face", face);
        var bucketTag = new KeyValuePair<string, object?>("bucket", bucket);
        if (records > 0)
        {
            _throttledRecords.Add(records, faceTag, bucketTag);
        }

        if (wholeRequest)
        {
            _throttledRequests.Add(1, faceTag, bucketTag);
        }
    }

    public void Dispose() => _meter.Dispose();
}
