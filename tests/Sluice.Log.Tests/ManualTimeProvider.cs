namespace Sluice.Log.Tests;

/// <summary>A clock the test sets by hand. Timers stay real (the base class's), so timeouts still fire.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private long _nowMs;

    public ManualTimeProvider(long startMs = 1_700_000_000_000) => _nowMs = startMs;

    public long NowMs
    {
        get => Interlocked.Read(ref _nowMs);
        set => Interlocked.Exchange(ref _nowMs, value);
    }

    public void Advance(TimeSpan by) => Interlocked.Add(ref _nowMs, (long)by.TotalMilliseconds);

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);
}
