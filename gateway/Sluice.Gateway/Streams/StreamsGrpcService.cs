using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Sluice.Core;
using Sluice.Gateway.Auth;
using Sluice.Gateway.Schemas;
using Sluice.Metadata.Model;
using Sluice.V1;

namespace Sluice.Gateway.Streams;

/// <summary>gRPC: sluice.v1.Streams.</summary>
[Authorize]
internal sealed class StreamsGrpcService(
    StreamAccess access, StreamService streams, ReshardService reshards, StreamEncryptionService encryption, StreamSchemaService schemas)
    : V1.Streams.StreamsBase
{
    public override async Task<V1.StreamSchemaBinding> SetStreamSchema(SetStreamSchemaRequest request, ServerCallContext context)
    {
        var tenant = (await access.AuthorizeAsync(context.GetHttpContext().User, StreamAccessKind.Manage, request.Name, context.CancellationToken)).Tenant;
        var binding = await schemas.SetBindingAsync(
            tenant, request.Name, request.Subject, request.Compatibility.Length == 0 ? null : request.Compatibility, context.CancellationToken);
        return Binding(binding);
    }

    public override async Task<V1.StreamSchemaBinding> GetStreamSchema(GetStreamSchemaRequest request, ServerCallContext context)
    {
        var tenant = (await access.AuthorizeAsync(context.GetHttpContext().User, StreamAccessKind.Any, request.Name, context.CancellationToken)).Tenant;
        return Binding(await schemas.GetBindingAsync(tenant, request.Name, context.CancellationToken));
    }

    public override async Task<StreamDescription> ClearStreamSchema(ClearStreamSchemaRequest request, ServerCallContext context)
    {
        var tenant = (await access.AuthorizeAsync(context.GetHttpContext().User, StreamAccessKind.Manage, request.Name, context.CancellationToken)).Tenant;
        return Describe(await schemas.ClearBindingAsync(tenant, request.Name, context.CancellationToken));
    }

    public override async Task<StreamDescription> SetStreamEncryption(SetStreamEncryptionRequest request, ServerCallContext context)
    {
        var tenant = (await access.AuthorizeAsync(context.GetHttpContext().User, StreamAccessKind.Manage, request.Name, context.CancellationToken)).Tenant;
        if (request.Enabled)
        {
            await encryption.StartAsync(tenant, request.Name, request.KeyId.Length == 0 ? StreamEncryptionService.DefaultKeyId : request.KeyId, context.CancellationToken);
        }
        else
        {
            if (request.KeyId.Length > 0)
            {
                throw new SluiceException(SluiceErrorCode.InvalidArgument, "key_id is only given when enabling encryption.");
            }

            await encryption.StopAsync(tenant, request.Name, cancellationToken: context.CancellationToken);
        }

        return Describe(await streams.DescribeAsync(tenant, request.Name, context.CancellationToken));
    }

    public override async Task<StreamDescription> CreateStream(CreateStreamRequest request, ServerCallContext context)
    {
        var tenant = (await access.AuthorizeAsync(context.GetHttpContext().User, StreamAccessKind.Manage, request.Name, context.CancellationToken)).Tenant;
        var acks = StreamService.ParseAcks(request.Acks);
        return Describe(await streams.CreateAndWaitAsync(
            tenant, request.Name, request.ShardCount, request.RetentionHours,
            request.ReplicationFactor == 0 ? null : request.ReplicationFactor,
            request.MinInSyncReplicas == 0 ? null : request.MinInSyncReplicas,
            acks, context.CancellationToken));
    }

    public override async Task<ListStreamsResponse> ListStreams(ListStreamsRequest request, ServerCallContext context)
    {
        var caller = await access.AuthenticateAsync(context.GetHttpContext().User, context.CancellationToken);
        // proto3 cannot tell 0 from unset: 0 means the default page size.
        var limit = request.Limit == 0 ? StreamService.DefaultListLimit : request.Limit;
        var (page, hasMore) = await access.ListVisibleAsync(caller, request.ExclusiveStartName, limit, context.CancellationToken);
        var response = new ListStreamsResponse { HasMore = hasMore };
        foreach (var stream in page)
        {
            response.Streams.Add(new StreamSummary
            {
                Name = stream.Name,
                Status = StreamDto.StatusName(stream.Status),
                ShardCount = stream.ShardCount,
                CreatedAt = Timestamp.FromDateTimeOffset(stream.CreatedAt),
            });
        }

        return response;
    }

    public override async Task<StreamDescription> DescribeStream(DescribeStreamRequest request, ServerCallContext context)
    {
        var tenant = (await access.AuthorizeAsync(context.GetHttpContext().User, StreamAccessKind.Any, request.Name, context.CancellationToken)).Tenant;
        return Describe(await streams.DescribeAsync(tenant, request.Name, context.CancellationToken));
    }

    public override async Task<DeleteStreamResponse> DeleteStream(DeleteStreamRequest request, ServerCallContext context)
    {
        var tenant = (await access.AuthorizeAsync(context.GetHttpContext().User, StreamAccessKind.Manage, request.Name, context.CancellationToken)).Tenant;
        var pending = await streams.DeleteAndWaitAsync(tenant, request.Name, context.CancellationToken);
        return new DeleteStreamResponse { Status = pending is null ? "" : StreamDto.StatusName(pending.Status) };
    }

    public override async Task<StreamDescription> SplitShard(SplitShardRequest request, ServerCallContext context)
    {
        var tenant = (await access.AuthorizeAsync(context.GetHttpContext().User, StreamAccessKind.Manage, request.Name, context.CancellationToken)).Tenant;
        var outcome = await reshards.SplitAsync(tenant, request.Name, request.ShardId, request.NewStartingHashKey, context.CancellationToken);
        return Describe(outcome.Stream);
    }

    public override async Task<StreamDescription> MergeShards(MergeShardsRequest request, ServerCallContext context)
    {
        var tenant = (await access.AuthorizeAsync(context.GetHttpContext().User, StreamAccessKind.Manage, request.Name, context.CancellationToken)).Tenant;
        var outcome = await reshards.MergeAsync(tenant, request.Name, request.ShardId, request.AdjacentShardId, context.CancellationToken);
        return Describe(outcome.Stream);
    }

    public override async Task<UpdateShardCountResponse> UpdateShardCount(UpdateShardCountRequest request, ServerCallContext context)
    {
        var tenant = (await access.AuthorizeAsync(context.GetHttpContext().User, StreamAccessKind.Manage, request.Name, context.CancellationToken)).Tenant;
        var outcome = await reshards.UpdateShardCountAsync(tenant, request.Name, request.TargetShardCount, context.CancellationToken);
        return new UpdateShardCountResponse
        {
            CurrentShardCount = outcome.PreviousOpenShardCount,
            TargetShardCount = outcome.OpenShardCount,
            Stream = Describe(outcome.Stream),
        };
    }

    private static V1.StreamSchemaBinding Binding(Schemas.StreamSchemaBinding binding) => new()
    {
        Stream = binding.Stream,
        Subject = binding.Subject,
        Compatibility = binding.Compatibility ?? "",
        LatestVersion = binding.LatestVersion ?? 0,
        LatestSchemaId = binding.LatestSchemaId ?? 0,
        LatestSchemaType = binding.LatestSchemaType ?? "",
    };

    private static StreamDescription Describe(StreamDefinition stream)
    {
        var description = new StreamDescription
        {
            Name = stream.Name,
            Status = StreamDto.StatusName(stream.Status),
            ShardCount = stream.ShardCount,
            RetentionHours = stream.RetentionHours,
            CreatedAt = Timestamp.FromDateTimeOffset(stream.CreatedAt),
            ReplicationFactor = stream.ReplicationFactor,
            MinInSyncReplicas = stream.MinInSyncReplicas,
            DefaultAcks = StreamService.AcksName(stream.DefaultAcks),
            Encryption = StreamDto.EncryptionName(stream.Encryption),
            EncryptionKeyId = stream.EncryptionKeyId ?? "",
            SchemaSubject = stream.SchemaSubject ?? "",
        };
        foreach (var shard in stream.Shards.OrderBy(s => s.ShardIndex))
        {
            description.Shards.Add(new ShardDescription
            {
                ShardId = ShardId.Format(shard.ShardIndex),
                StartingHashKey = shard.StartingHashKey,
                EndingHashKey = shard.EndingHashKey,
                State = shard.State.ToString().ToUpperInvariant(),
                StartingSequenceNumber = SequenceNumber.Encode(shard.ShardIndex, 0),
                LeaderNode = shard.LeaderNodeId ?? "",
                LeaderEpoch = shard.LeaderEpoch,
                ParentShardId = shard.ParentShardIndex is { } parent ? ShardId.Format(parent) : "",
                AdjacentParentShardId = shard.AdjacentParentShardIndex is { } adjacent ? ShardId.Format(adjacent) : "",
                EndingSequenceNumber = ShardDto.EndingSequenceNumberOf(shard) ?? "",
                Replicas = { shard.Replicas },
                Isr = { shard.Isr },
            });
        }

        return description;
    }
}
