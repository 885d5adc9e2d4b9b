using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Tests.Metadata;

public sealed class StreamLifecycleRulesTests
{
    [Theory]
    [InlineData(StreamStatus.Creating, false)]
    [InlineData(StreamStatus.Active, true)]
    [InlineData(StreamStatus.Updating, true)]
    [InlineData(StreamStatus.Deleting, false)]
    public void Only_ACTIVE_and_UPDATING_streams_take_records(StreamStatus status, bool accepts)
    {
        Assert.Equal(accepts, StreamLifecycleRules.AcceptsRecords(status));
        Assert.Equal(status is StreamStatus.Creating or StreamStatus.Deleting, StreamLifecycleRules.IsTransitioning(status));
    }

    [Theory]
    [InlineData(StreamStatus.Active, false, DeleteDecision.Begin)]
    [InlineData(StreamStatus.Active, true, DeleteDecision.Begin)]
    [InlineData(StreamStatus.Creating, false, DeleteDecision.InUse)]
    [InlineData(StreamStatus.Creating, true, DeleteDecision.Begin)]
    [InlineData(StreamStatus.Updating, false, DeleteDecision.InUse)]
    [InlineData(StreamStatus.Updating, true, DeleteDecision.InUse)]
    [InlineData(StreamStatus.Deleting, false, DeleteDecision.AlreadyDeleting)]
    [InlineData(StreamStatus.Deleting, true, DeleteDecision.AlreadyDeleting)]
    public void Kinesis_deletes_ACTIVE_streams_only_and_our_faces_may_also_abandon_a_CREATING_one(StreamStatus status, bool allowWhileCreating, DeleteDecision expected)
    {
        Assert.Equal(expected, StreamLifecycleRules.DecideDelete(status, allowWhileCreating));
    }
}
