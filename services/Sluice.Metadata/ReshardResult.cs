using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>
/// What a reshard changed: the stream as it is now (UPDATING), the shards it closed that had been
/// open (their leaders must seal them), the shards it made, and how many shards were open before.
/// </summary>
public sealed record ReshardResult(
    StreamDefinition Stream, IReadOnlyList<ShardDefinition> ClosedShards, IReadOnlyList<ShardDefinition> OpenedShards, int PreviousOpenShardCount);
