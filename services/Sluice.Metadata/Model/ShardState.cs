namespace Sluice.Metadata.Model;

/// <summary>An open shard takes writes; a closed one (after a split or merge) is read-only.</summary>
public enum ShardState
{
    Open,
    Closed,
}
