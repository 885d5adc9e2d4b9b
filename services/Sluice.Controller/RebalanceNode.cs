namespace Sluice.Controller;

/// <summary>A live storage node as the <see cref="RebalancePlanner"/> sees it: its id and the rack it declared (null: none).</summary>
public sealed record RebalanceNode(string Id, string? Rack);
