using Sluice.Metadata.Model;

namespace Sluice.Gateway.Streams;

/// <summary>A finished split, merge or shard-count update: the stream as it is now and its open shard count before and after.</summary>
public sealed record ReshardOutcome(StreamDefinition Stream, int PreviousOpenShardCount, int OpenShardCount);
