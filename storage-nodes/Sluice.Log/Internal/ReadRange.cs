namespace Sluice.Log.Internal;

/// <summary>A run of whole batches in one (pinned) segment that a read needs: <paramref name="Length"/> bytes from <paramref name="Position"/>.</summary>
internal readonly record struct ReadRange(Segment Segment, long Position, int Length);
