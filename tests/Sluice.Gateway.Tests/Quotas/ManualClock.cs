namespace Sluice.Gateway.Tests.Quotas;

/// <summary>A clock whose timestamps move only when the test says so.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _timestamp = 1_000_000;

    public override long TimestampFrequency => 1_000_000;

    public override long GetTimestamp() => Interlocked.Read(ref _timestamp);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _timestamp, (long)(by.TotalSeconds * TimestampFrequency));
}
