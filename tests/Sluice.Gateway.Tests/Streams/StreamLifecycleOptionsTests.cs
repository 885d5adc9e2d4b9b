using Sluice.Gateway.Streams;

namespace Sluice.Gateway.Tests.Streams;

public sealed class StreamLifecycleOptionsTests
{
    [Fact]
    public void Lifecycle_options_refuse_durations_that_are_not_positive()
    {
        Assert.True(new StreamLifecycleOptions().HasValidDurations());
        Assert.True(new StreamLifecycleOptions { WaitTimeout = TimeSpan.Zero }.HasValidDurations());
        Assert.False(new StreamLifecycleOptions { SweepInterval = TimeSpan.Zero }.HasValidDurations());
        Assert.False(new StreamLifecycleOptions { RetryDelay = TimeSpan.FromMilliseconds(-1) }.HasValidDurations());
        Assert.False(new StreamLifecycleOptions { NodeCallTimeout = TimeSpan.Zero }.HasValidDurations());
    }
}
