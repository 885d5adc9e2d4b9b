using System.Runtime.CompilerServices;
using Sluice.V1;

namespace Sluice.Client;

public sealed partial class SluiceClient
{
    /// <summary>The page size <see cref="ListStreamsAsync"/> asks for.</summary>
    public const int DefaultListPageSize = 100;

    /// <summary>Creates a stream.</summary>
    /// <param name="name">The stream's name, unique within the tenant.</param>
    /// <param name="shardCount">How many shards to split it into.</param>
    /// <param name="retentionHours">How long records are kept; 0 means the gateway's default (24 hours).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The new stream, <c>ACTIVE</c>: the gateway waits until its storage nodes have prepared it. It is
    /// still <c>CREATING</c> when that took longer than the gateway's wait (a storage node is down);
    /// it becomes <c>ACTIVE</c> by itself, and takes no records until then.
    /// </returns>
    /// <exception cref="Grpc.Core.RpcException">ALREADY_EXISTS when the name is taken, INVALID_ARGUMENT for a bad name or count.</exception>
    public async Task<StreamDescription> CreateStreamAsync(
        string name, int shardCount, int retentionHours = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var request = new CreateStreamRequest { Name = name, ShardCount = shardCount, RetentionHours = retentionHours };
        return await Streams.CreateStreamAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a stream with replication settings.</summary>
    /// <param name="name">The stream's name, unique within the tenant.</param>
    /// <param name="shardCount">How many shards to split it into.</param>
    /// <param name="options">Retention and replication; unset settings take the gateway's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new stream, as <see cref="CreateStreamAsync(string, int, int, CancellationToken)"/> returns it.</returns>
    /// <exception cref="Grpc.Core.RpcException">
    /// ALREADY_EXISTS when the name is taken; INVALID_ARGUMENT for a bad name or count, a replication
    /// factor above the live storage nodes, or min in-sync replicas above the replication factor.
    /// </exception>
    public async Task<StreamDescription> CreateStreamAsync(
        string name, int shardCount, CreateStreamOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        var request = new CreateStreamRequest
        {
            Name = name,
            ShardCount = shardCount,
            RetentionHours = options.RetentionHours,
            ReplicationFactor = options.ReplicationFactor ?? 0,
            MinInSyncReplicas = options.MinInSyncReplicas ?? 0,
            Acks = options.Acks switch
            {
                null => "",
                StreamAcks.All => "all",
                StreamAcks.Leader => "leader",
                StreamAcks.None => "none",
                _ => throw new ArgumentOutOfRangeException(nameof(options), options.Acks, "Unknown acks mode."),
            },
        };
        return await Streams.CreateStreamAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Lists the tenant's streams in ordinal order of their names, fetching pages of
    /// <paramref name="pageSize"/> as the enumeration goes on.
    /// </summary>
    /// <param name="pageSize">How many streams to ask for per call (1..1000).</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>Every stream, one at a time.</returns>
    public async IAsyncEnumerable<StreamSummary> ListStreamsAsync(
        int pageSize = DefaultListPageSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new ListStreamsRequest { Limit = pageSize };
        while (true)
        {
            var page = await Streams.ListStreamsAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var stream in page.Streams)
            {
                yield return stream;
            }

            // An empty page that claims more would loop forever; treat it as the end.
            if (!page.HasMore || page.Streams.Count == 0)
            {
                yield break;
            }

            request = new ListStreamsRequest { Limit = pageSize, ExclusiveStartName = page.Streams[^1].Name };
        }
    }

    /// <summary>Describes a stream and its shards.</summary>
    /// <param name="name">The stream's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="Grpc.Core.RpcException">NOT_FOUND when there is no such stream.</exception>
    public async Task<StreamDescription> DescribeStreamAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return await Streams.DescribeStreamAsync(new DescribeStreamRequest { Name = name }, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Deletes a stream and every record in it.</summary>
    /// <param name="name">The stream's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// A task that completes when the stream is gone, or, when a storage node is down, once the gateway
    /// stopped waiting for it: the stream is then DELETING and goes by itself later.
    /// </returns>
    /// <exception cref="Grpc.Core.RpcException">NOT_FOUND when there is no such stream.</exception>
    public async Task DeleteStreamAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await Streams.DeleteStreamAsync(new DeleteStreamRequest { Name = name }, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Splits an open shard in two: the lower child takes its hash keys below
    /// <paramref name="newStartingHashKey"/>, the upper child the rest. The shard closes; its
    /// records stay readable, and a read at its end names the children.
    /// </summary>
    /// <param name="name">The stream's name.</param>
    /// <param name="shardId">The open shard to split.</param>
    /// <param name="newStartingHashKey">Decimal 128-bit hash key strictly inside the shard's range: the upper child's first.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stream after the split.</returns>
    /// <exception cref="Grpc.Core.RpcException">
    /// FAILED_PRECONDITION while the stream is not ACTIVE, INVALID_ARGUMENT for a hash key not inside
    /// the shard or a closed shard, NOT_FOUND for a missing stream or shard, RESOURCE_EXHAUSTED over a shard limit.
    /// </exception>
    public async Task<StreamDescription> SplitShardAsync(string name, string shardId, string newStartingHashKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var request = new SplitShardRequest { Name = name, ShardId = shardId, NewStartingHashKey = newStartingHashKey };
        return await Streams.SplitShardAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Merges two open shards whose hash-key ranges border each other into one; both close.</summary>
    /// <param name="name">The stream's name.</param>
    /// <param name="shardId">One of the shards (the merged shard's parent).</param>
    /// <param name="adjacentShardId">The shard bordering it (the merged shard's adjacent parent).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stream after the merge.</returns>
    /// <exception cref="Grpc.Core.RpcException">FAILED_PRECONDITION while the stream is not ACTIVE, INVALID_ARGUMENT for shards that are not adjacent or not open.</exception>
    public async Task<StreamDescription> MergeShardsAsync(string name, string shardId, string adjacentShardId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var request = new MergeShardsRequest { Name = name, ShardId = shardId, AdjacentShardId = adjacentShardId };
        return await Streams.MergeShardsAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Splits and merges shards until <paramref name="targetShardCount"/> open shards cover the
    /// hash-key space in equal ranges (Kinesis' UNIFORM_SCALING).
    /// </summary>
    /// <param name="name">The stream's name.</param>
    /// <param name="targetShardCount">Open shards wanted: between half and double the current count.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The shard counts before and after, and the stream.</returns>
    /// <exception cref="Grpc.Core.RpcException">FAILED_PRECONDITION while the stream is not ACTIVE, INVALID_ARGUMENT for a target outside half to double.</exception>
    public async Task<UpdateShardCountResponse> UpdateShardCountAsync(string name, int targetShardCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var request = new UpdateShardCountRequest { Name = name, TargetShardCount = targetShardCount };
        return await Streams.UpdateShardCountAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts or stops encryption at rest of the stream's new records (AES-256-GCM per batch on the storage nodes under
    /// the stream's data key). Records written before either change stay readable.
    /// </summary>
    /// <param name="name">The stream's name.</param>
    /// <param name="enabled">True to encrypt new records, false to store them in plain.</param>
    /// <param name="keyId">With <paramref name="enabled"/>: the key id to record (null for alias/aws/kinesis); must be null otherwise.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stream, whose <see cref="StreamDescription.Encryption"/> says KMS or NONE.</returns>
    /// <exception cref="Grpc.Core.RpcException">NOT_FOUND for a missing stream, INVALID_ARGUMENT for a bad key id, FAILED_PRECONDITION while the stream is not ACTIVE.</exception>
    public async Task<StreamDescription> SetStreamEncryptionAsync(string name, bool enabled, string? keyId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var request = new SetStreamEncryptionRequest { Name = name, Enabled = enabled, KeyId = keyId ?? "" };
        return await Streams.SetStreamEncryptionAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Binds the stream to a schema registry subject: from then on every record put to it, on every API, is checked, a
    /// record in Confluent's wire format against the subject's live version with the schema id in its header, any other
    /// as JSON against the latest live version. A record that fails is refused alone (InvalidArgument with the violation).
    /// </summary>
    /// <param name="name">The stream's name.</param>
    /// <param name="subject">The subject; it must have a live version (register a schema first).</param>
    /// <param name="compatibility">Also set the subject's compatibility level for new versions (BACKWARD, FULL_TRANSITIVE, ...); null leaves it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The binding, with the subject's latest live version.</returns>
    /// <exception cref="Grpc.Core.RpcException">
    /// NOT_FOUND for a missing stream, INVALID_ARGUMENT for a subject with no live version or an unknown level,
    /// PERMISSION_DENIED without the manage permission on the stream.
    /// </exception>
    public async Task<StreamSchemaBinding> SetStreamSchemaAsync(string name, string subject, string? compatibility = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(subject);
        var request = new SetStreamSchemaRequest { Name = name, Subject = subject, Compatibility = compatibility ?? "" };
        return await Streams.SetStreamSchemaAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stream's binding to a schema registry subject.</summary>
    /// <param name="name">The stream's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The binding, with the subject's latest live version.</returns>
    /// <exception cref="Grpc.Core.RpcException">NOT_FOUND for a missing stream, or one not bound to a subject.</exception>
    public async Task<StreamSchemaBinding> GetStreamSchemaAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return await Streams.GetStreamSchemaAsync(new GetStreamSchemaRequest { Name = name }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Unbinds the stream from its schema subject (one not bound stays so): its records are no longer checked.</summary>
    /// <param name="name">The stream's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stream, with an empty <see cref="StreamDescription.SchemaSubject"/>.</returns>
    /// <exception cref="Grpc.Core.RpcException">NOT_FOUND for a missing stream, PERMISSION_DENIED without the manage permission on it.</exception>
    public async Task<StreamDescription> ClearStreamSchemaAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return await Streams.ClearStreamSchemaAsync(new ClearStreamSchemaRequest { Name = name }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
