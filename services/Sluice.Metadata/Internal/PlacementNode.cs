namespace Sluice.Metadata.Internal;

/// <summary>A live storage node as shard placement sees it: its id and the rack it declared (null: none).</summary>
internal readonly record struct PlacementNode(string Id, string? Rack);
