using Sluice.Core;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Streams;

/// <summary>Body of POST /v1/streams.</summary>
public sealed record CreateStreamBody(string Name, int ShardCount, int? RetentionHours);

/// <summary>A stream as REST describes it.</summary>
public sealed record StreamDto(
    string Name,
    string Status,
    int ShardCount,
    int RetentionHours,
    DateTimeOffset CreatedAt,
    int ReplicationFactor,
    IReadOnlyList<ShardDto> Shards)
{
    public static StreamDto From(StreamDefinition stream) => new(
        stream.Name,
        StatusName(stream.Status),
        stream.ShardCount,
        stream.RetentionHours,
        stream.CreatedAt,
        stream.ReplicationFactor,
        [.. stream.Shards.OrderBy(s => s.ShardIndex).Select(ShardDto.From)]);

    public static string StatusName(StreamStatus status) => status.ToString().ToUpperInvariant();
}

/// <summary>A shard as REST describes it.</summary>
public sealed record ShardDto(
    string ShardId,
    string StartingHashKey,
    string EndingHashKey,
    string State,
    string StartingSequenceNumber,
    string? LeaderNode,
    int LeaderEpoch)
{
    public static ShardDto From(ShardDefinition shard) => new(
        Core.ShardId.Format(shard.ShardIndex),
        shard.StartingHashKey,
        shard.EndingHashKey,
        shard.State.ToString().ToUpperInvariant(),
        SequenceNumber.Encode(shard.ShardIndex, 0),
        shard.LeaderNodeId,
        shard.LeaderEpoch);
}

/// <summary>One row of GET /v1/streams.</summary>
public sealed record StreamSummaryDto(string Name, string Status, int ShardCount, DateTimeOffset CreatedAt);

/// <summary>A page of GET /v1/streams.</summary>
public sealed record StreamListDto(IReadOnlyList<StreamSummaryDto> Streams, bool HasMore);
