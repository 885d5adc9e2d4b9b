using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Gateway.Auth;
using Sluice.Gateway.Streams;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Kinesis;

/// <summary>Kinesis' stream administration operations over <see cref="StreamService"/>.</summary>
internal sealed partial class KinesisStreamOperations(
    StreamService streams, StreamAccess access, IOptions<KinesisOptions> options, ConsumerCatalog consumers, TimeProvider timeProvider, StreamEncryptionService encryption)
{
    private const int MaxTags = 50;
    private static readonly IReadOnlyList<EnhancedMetrics> NoEnhancedMonitoring = [new EnhancedMetrics([])];

    public async Task<object?> CreateStreamAsync(KinesisCall call, CreateStreamRequest request, CancellationToken cancellationToken)
    {
        var mode = request.StreamModeDetails?.StreamMode;
        new KinesisValidation()
            .Required(request.StreamName, "streamName").StreamName(request.StreamName)
            .Range(request.ShardCount, 1, 100_000, "shardCount")
            .OneOf(mode, "streamModeDetails.streamMode", "PROVISIONED", "ON_DEMAND")
            .ThrowIfAny();
        call.Authorize(request.StreamName!);
        ValidateTags(request.Tags);

        var onDemand = mode == "ON_DEMAND";
        if (onDemand && request.ShardCount is not null)
        {
            throw new KinesisException(KinesisException.InvalidArgument, "ShardCount must not be specified for an ON_DEMAND stream.");
        }

        if (!onDemand && request.ShardCount is null)
        {
            throw new KinesisException(KinesisException.InvalidArgument, "ShardCount is required for a PROVISIONED stream.");
        }

        var shardCount = request.ShardCount ?? options.Value.OnDemandInitialShards;
        var (openShards, onDemandStreams) = await streams.CountAsync(call.Tenant, cancellationToken);
        if (openShards + shardCount > options.Value.AccountShardLimit)
        {
            throw new KinesisException(KinesisException.LimitExceeded,
                $"This request would exceed the shard limit for the account {call.Tenant.AccountId}. Current shard count for the account: {openShards}. Limit: {options.Value.AccountShardLimit}. Number of additional shards that would have resulted from this request: {shardCount}.");
        }

        if (onDemand && onDemandStreams >= options.Value.OnDemandStreamLimit)
        {
            throw new KinesisException(KinesisException.LimitExceeded,
                $"This request would exceed the on-demand stream limit for the account {call.Tenant.AccountId}: {options.Value.OnDemandStreamLimit}.");
        }

        await streams.CreateAsync(call.Tenant, request.StreamName!, shardCount, Limits.DefaultRetentionHours,
            onDemand ? StreamMode.OnDemand : StreamMode.Provisioned, request.Tags, cancellationToken: cancellationToken);
        return null;
    }

    public async Task<object?> DeleteStreamAsync(KinesisCall call, DeleteStreamRequest request, CancellationToken cancellationToken)
    {
        var name = StreamName(call, request);
        // As Kinesis: only an ACTIVE stream may be deleted (ResourceInUseException otherwise), and
        // one with consumers only with EnforceConsumerDeletion. It answers at once, DELETING.
        await streams.DeleteAsync(call.Tenant, name, request.EnforceConsumerDeletion ?? false, allowWhileCreating: false, cancellationToken);
        return null;
    }

    public async Task<object?> DescribeStreamAsync(KinesisCall call, DescribeStreamRequest request, CancellationToken cancellationToken)
    {
        new KinesisValidation().Range(request.Limit, 1, 10_000, "limit").ShardId(request.ExclusiveStartShardId, "exclusiveStartShardId").ThrowIfAny();
        var name = StreamName(call, request);
        var stream = await streams.DescribeAsync(call.Tenant, name, cancellationToken);
        var limit = request.Limit ?? 100;
        var after = request.ExclusiveStartShardId is { } start && ShardId.TryParse(start, out var startIndex) ? startIndex : -1;
        var shards = stream.Shards.Where(s => s.ShardIndex > after).ToList();
        var page = shards.Take(limit).Select(ToShard).ToList();
        return new DescribeStreamResponse(new StreamDescriptionModel(
            stream.Name,
            call.StreamArn(stream.Name),
            Status(stream.Status),
            Mode(stream.Mode),
            page,
            shards.Count > page.Count,
            stream.RetentionHours,
            stream.CreatedAt,
            NoEnhancedMonitoring,
            Encryption(stream.Encryption),
            stream.EncryptionKeyId));
    }

    public async Task<object?> DescribeStreamSummaryAsync(KinesisCall call, StreamRequest request, CancellationToken cancellationToken)
    {
        var name = StreamName(call, request);
        var stream = await streams.DescribeAsync(call.Tenant, name, cancellationToken);
        return new DescribeStreamSummaryResponse(new StreamDescriptionSummaryModel(
            stream.Name,
            call.StreamArn(stream.Name),
            Status(stream.Status),
            Mode(stream.Mode),
            stream.RetentionHours,
            stream.CreatedAt,
            NoEnhancedMonitoring,
            Encryption(stream.Encryption),
            stream.EncryptionKeyId,
            stream.Shards.Count(s => s.State == ShardState.Open),
            ConsumerCount: await consumers.CountAsync(stream.Id, cancellationToken)));
    }

    public async Task<object?> ListStreamsAsync(KinesisCall call, ListStreamsRequest request, CancellationToken cancellationToken)
    {
        new KinesisValidation().Range(request.Limit, 1, 10_000, "limit").StreamName(request.ExclusiveStartStreamName, "exclusiveStartStreamName").ThrowIfAny();
        var after = request.ExclusiveStartStreamName;
        if (request.NextToken is { } token)
        {
            if (after is not null)
            {
                throw new KinesisException(KinesisException.InvalidArgument, "NextToken and ExclusiveStartStreamName cannot be provided together.");
            }

            after = OpenToken(token, "ListStreams");
        }

        var limit = Math.Min(request.Limit ?? 100, 1000);
        var (page, hasMore) = await access.ListVisibleAsync(call.Caller, after, limit, cancellationToken);
        return new ListStreamsResponse(
            [.. page.Select(s => s.Name)],
            hasMore,
            hasMore ? Token("ListStreams", page[^1].Name) : null,
            [.. page.Select(s => new StreamSummaryModel(s.Name, call.StreamArn(s.Name), Status(s.Status), Mode(s.Mode), s.CreatedAt))]);
    }

    public async Task<object?> ListShardsAsync(KinesisCall call, ListShardsRequest request, CancellationToken cancellationToken)
    {
        var filter = request.ShardFilter;
        new KinesisValidation()
            .Range(request.MaxResults, 1, 10_000, "maxResults")
            .ShardId(request.ExclusiveStartShardId, "exclusiveStartShardId")
            .Length(request.NextToken, 1, 1048, "nextToken")
            .OneOf(filter?.Type, "shardFilter.type", "AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP")
            .ThrowIfAny();
        if (filter is not null && filter.Type is null)
        {
            new KinesisValidation().Required(null, "shardFilter.type").ThrowIfAny();
        }

        string name;
        var after = -1;
        if (request.NextToken is { } token)
        {
            if (request.StreamName is not null || request.StreamARN is not null || request.ExclusiveStartShardId is not null || request.StreamCreationTimestamp is not null)
            {
                throw new KinesisException(KinesisException.InvalidArgument,
                    "NextToken and StreamName (or StreamARN, ExclusiveStartShardId, StreamCreationTimestamp) cannot be provided together.");
            }

            var state = OpenToken(token, "ListShards");
            var separator = state.LastIndexOf('/');
            if (separator < 0 || !int.TryParse(state.AsSpan(separator + 1), out after))
            {
                throw InvalidToken();
            }

            name = state[..separator];
            call.Authorize(name);
        }
        else
        {
            name = StreamName(call, request);
            if (request.ExclusiveStartShardId is { } start)
            {
                after = ShardId.TryParse(start, out var startIndex) ? startIndex : -1;
            }
        }

        var stream = await streams.DescribeAsync(call.Tenant, name, cancellationToken);
        if (!StreamLifecycleRules.AcceptsRecords(stream.Status))
        {
            // Kinesis lists the shards of an ACTIVE (or UPDATING) stream only.
            throw new KinesisException(KinesisException.ResourceInUse, StreamCatalog.NotActiveMessage(call.Tenant, stream));
        }

        IEnumerable<ShardDefinition> shards = stream.Shards.Where(s => s.ShardIndex > after);
        switch (filter?.Type)
        {
            case "AFTER_SHARD_ID":
                if (filter.ShardId is null)
                {
                    throw new KinesisException(KinesisException.InvalidArgument, "ShardId must be specified for ShardFilter type AFTER_SHARD_ID.");
                }

                var afterFilter = ShardId.TryParse(filter.ShardId, out var filterIndex) ? filterIndex : -1;
                shards = shards.Where(s => s.ShardIndex > afterFilter);
                break;
            case "AT_LATEST":
                shards = shards.Where(s => s.State == ShardState.Open);
                break;
            case "AT_TIMESTAMP" or "FROM_TIMESTAMP":
                if (filter.Timestamp is not { } at)
                {
                    throw new KinesisException(KinesisException.InvalidArgument, $"Timestamp must be specified for ShardFilter type {filter.Type}.");
                }

                // AT_: the shards open at that time; FROM_: those and every shard opened since.
                var lineage = new ShardLifetimes(stream);
                shards = filter.Type == "AT_TIMESTAMP" ? shards.Where(s => lineage.OpenAt(s, at)) : shards.Where(s => lineage.OpenAtOrAfter(s, at));
                break;
            case "AT_TRIM_HORIZON" or "FROM_TRIM_HORIZON":
                // The trim horizon is the oldest time whose records retention still keeps.
                var horizon = timeProvider.GetUtcNow() - TimeSpan.FromHours(stream.RetentionHours);
                var lifetimes = new ShardLifetimes(stream);
                shards = filter.Type == "AT_TRIM_HORIZON" ? shards.Where(s => lifetimes.OpenAt(s, horizon)) : shards.Where(s => lifetimes.OpenAtOrAfter(s, horizon));
                break;
            default:
                // No filter: every shard of the stream, open and closed.
                break;
        }

        var all = shards.ToList();
        var limit = request.MaxResults ?? 1000;
        var page = all.Take(limit).ToList();
        return new ListShardsResponse(
            [.. page.Select(ToShard)],
            all.Count > page.Count ? Token("ListShards", $"{stream.Name}/{page[^1].ShardIndex}") : null);
    }

    public async Task<object?> ChangeRetentionAsync(KinesisCall call, RetentionPeriodRequest request, bool increase, CancellationToken cancellationToken)
    {
        new KinesisValidation().Required(request.RetentionPeriodHours, "retentionPeriodHours").Range(request.RetentionPeriodHours, 1, 8760, "retentionPeriodHours").ThrowIfAny();
        var name = StreamName(call, request);
        var hours = request.RetentionPeriodHours!.Value;
        if (hours < Limits.MinRetentionHours)
        {
            throw new KinesisException(KinesisException.InvalidArgument,
                $"Minimum allowed retention period is {Limits.MinRetentionHours} hours. Requested retention period ({hours} hours) is too short.");
        }

        await streams.UpdateAsync(call.Tenant, name, stream =>
        {
            if (increase && hours < stream.RetentionHours)
            {
                throw new KinesisException(KinesisException.InvalidArgument,
                    $"Requested retention period ({hours} hours) for stream {name} can not be shorter than existing retention period ({stream.RetentionHours} hours). Use DecreaseRetentionPeriod API.");
            }

            if (!increase && hours > stream.RetentionHours)
            {
                throw new KinesisException(KinesisException.InvalidArgument,
                    $"Requested retention period ({hours} hours) for stream {name} can not be longer than existing retention period ({stream.RetentionHours} hours). Use IncreaseRetentionPeriod API.");
            }

            stream.RetentionHours = hours;
        }, cancellationToken);
        return null;
    }

    public async Task<object?> AddTagsAsync(KinesisCall call, AddTagsToStreamRequest request, CancellationToken cancellationToken)
    {
        new KinesisValidation().Required(request.Tags, "tags").ThrowIfAny();
        ValidateTags(request.Tags);
        var name = StreamName(call, request);
        await streams.UpdateAsync(call.Tenant, name, stream =>
        {
            var merged = new Dictionary<string, string>(stream.Tags, StringComparer.Ordinal);
            foreach (var (key, value) in request.Tags!)
            {
                merged[key] = value;
            }

            if (merged.Count > MaxTags)
            {
                throw new KinesisException(KinesisException.LimitExceeded,
                    $"Failed to add tags to stream {name} under account {call.Tenant.AccountId} because a given stream cannot have more than {MaxTags} tags.");
            }

            stream.Tags = merged;
        }, cancellationToken);
        return null;
    }

    public async Task<object?> RemoveTagsAsync(KinesisCall call, RemoveTagsFromStreamRequest request, CancellationToken cancellationToken)
    {
        var validation = new KinesisValidation().Required(request.TagKeys, "tagKeys");
        if (request.TagKeys is { Count: 0 or > MaxTags })
        {
            validation.Range(request.TagKeys.Count, 1, MaxTags, "tagKeys");
        }

        for (var i = 0; request.TagKeys is not null && i < request.TagKeys.Count; i++)
        {
            validation.Required(request.TagKeys[i], $"tagKeys.{i + 1}.member").Length(request.TagKeys[i], 1, 128, $"tagKeys.{i + 1}.member");
        }

        validation.ThrowIfAny();
        var name = StreamName(call, request);
        await streams.UpdateAsync(call.Tenant, name, stream =>
        {
            var remaining = new Dictionary<string, string>(stream.Tags, StringComparer.Ordinal);
            foreach (var key in request.TagKeys!)
            {
                remaining.Remove(key);
            }

            stream.Tags = remaining;
        }, cancellationToken);
        return null;
    }

    public async Task<object?> ListTagsAsync(KinesisCall call, ListTagsForStreamRequest request, CancellationToken cancellationToken)
    {
        new KinesisValidation().Range(request.Limit, 1, 50, "limit").Length(request.ExclusiveStartTagKey, 1, 128, "exclusiveStartTagKey").ThrowIfAny();
        var name = StreamName(call, request);
        var stream = await streams.DescribeAsync(call.Tenant, name, cancellationToken);
        var tags = stream.Tags
            .Where(t => request.ExclusiveStartTagKey is null || string.CompareOrdinal(t.Key, request.ExclusiveStartTagKey) > 0)
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .ToList();
        var limit = request.Limit ?? 10;
        return new ListTagsForStreamResponse([.. tags.Take(limit).Select(t => new TagModel(t.Key, t.Value))], tags.Count > limit);
    }

    public async Task<object?> SetEncryptionAsync(KinesisCall call, StreamEncryptionRequest request, bool start, CancellationToken cancellationToken)
    {
        new KinesisValidation()
            .Required(request.EncryptionType, "encryptionType").OneOf(request.EncryptionType, "encryptionType", "NONE", "KMS")
            .Required(request.KeyId, "keyId").Length(request.KeyId, 1, 2048, "keyId")
            .ThrowIfAny();
        if (request.EncryptionType != "KMS")
        {
            throw new KinesisException(KinesisException.InvalidArgument, $"Encryption type {request.EncryptionType} is not supported; use KMS.");
        }

        var name = StreamName(call, request);
        if (start)
        {
            await encryption.StartAsync(call.Tenant, name, request.KeyId!, cancellationToken);
        }
        else
        {
            await encryption.StopAsync(call.Tenant, name, stream =>
            {
                if (stream.Encryption == StreamEncryption.Kms && stream.EncryptionKeyId != request.KeyId)
                {
                    throw new KinesisException(KinesisException.InvalidArgument,
                        $"Key {request.KeyId} is not the key stream {name} is encrypted with.");
                }
            }, cancellationToken);
        }

        return null;
    }

    public async Task<object?> DescribeLimitsAsync(KinesisCall call, CancellationToken cancellationToken)
    {
        var (openShards, onDemand) = await streams.CountAsync(call.Tenant, cancellationToken);
        return new DescribeLimitsResponse(options.Value.AccountShardLimit, openShards, onDemand, options.Value.OnDemandStreamLimit);
    }

    /// <summary>The stream a request names, by StreamName or StreamARN (which must be the caller's).</summary>
    public static string StreamName(KinesisCall call, StreamRequest request)
    {
        var validation = new KinesisValidation().StreamName(request.StreamName).Length(request.StreamARN, 1, 2048, "streamARN");
        string? fromArn = null;
        string? arnAccount = null;
        if (request.StreamARN is { } arn)
        {
            var match = StreamArnRegex().Match(arn);
            if (!match.Success)
            {
                validation.Pattern(arn, "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+", StreamArnRegex(), "streamARN");
            }
            else
            {
                arnAccount = match.Groups["account"].Value;
                fromArn = match.Groups["name"].Value;
            }
        }

        validation.ThrowIfAny();
        if (request.StreamName is null && fromArn is null)
        {
            throw new KinesisException(KinesisException.InvalidArgument, "Either StreamName or StreamARN should be provided.");
        }

        if (request.StreamName is not null && fromArn is not null && request.StreamName != fromArn)
        {
            throw new KinesisException(KinesisException.InvalidArgument, $"StreamARN {request.StreamARN} does not name stream {request.StreamName}.");
        }

        var name = request.StreamName ?? fromArn!;
        if (arnAccount is not null && arnAccount != call.Tenant.AccountId)
        {
            // Another account's stream is answered exactly like a missing one.
            throw new KinesisException(KinesisException.ResourceNotFound, $"Stream {name} under account {arnAccount} not found.");
        }

        call.Authorize(name);
        return name;
    }

    private static void ValidateTags(Dictionary<string, string>? tags)
    {
        if (tags is null)
        {
            return;
        }

        var validation = new KinesisValidation();
        if (tags.Count is 0 or > MaxTags)
        {
            validation.Range(tags.Count, 1, MaxTags, "tags");
        }

        foreach (var (key, value) in tags)
        {
            validation.Length(key, 1, 128, "tags.key").Length(value, 0, 256, "tags.value");
        }

        validation.ThrowIfAny();
    }

    private static ShardModel ToShard(ShardDefinition shard) => new(
        ShardId.Format(shard.ShardIndex),
        shard.ParentShardIndex is { } parent ? ShardId.Format(parent) : null,
        shard.AdjacentParentShardIndex is { } adjacent ? ShardId.Format(adjacent) : null,
        new HashKeyRangeModel(shard.StartingHashKey, shard.EndingHashKey),
        new SequenceNumberRangeModel(
            SequenceNumber.Encode(shard.ShardIndex, 0),
            ShardDto.EndingSequenceNumberOf(shard)));

    private static string Status(StreamStatus status) => status switch
    {
        StreamStatus.Active => "ACTIVE",
        _ => status.ToString().ToUpperInvariant(),
    };

    private static StreamModeDetails Mode(StreamMode mode) => new() { StreamMode = mode == StreamMode.OnDemand ? "ON_DEMAND" : "PROVISIONED" };

    private static string Encryption(StreamEncryption encryption) => encryption == StreamEncryption.Kms ? "KMS" : "NONE";

    // Paging tokens carry the operation and where to continue; they are not secrets (the caller's
    // own stream and shard names), only opaque to discourage building them.
    private static string Token(string operation, string state) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{operation}\n{state}"));

    private static string OpenToken(string token, string operation)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var prefix = operation + "\n";
            if (text.StartsWith(prefix, StringComparison.Ordinal))
            {
                return text[prefix.Length..];
            }
        }
        catch (FormatException)
        {
        }

        throw InvalidToken();
    }

    private static KinesisException InvalidToken() => new(KinesisException.InvalidArgument, "The NextToken is not valid: pass the NextToken of the previous page as it was returned.");

    [GeneratedRegex("^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:(?<account>[0-9]{12}):stream/(?<name>[a-zA-Z0-9_.-]{1,128})$")]
    private static partial Regex StreamArnRegex();
}
