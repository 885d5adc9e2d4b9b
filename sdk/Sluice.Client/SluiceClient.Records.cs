using System.Diagnostics;
using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using Sluice.V1;

namespace Sluice.Client;

public sealed partial class SluiceClient
{
    /// <summary>The long-poll <see cref="ReadShardAsync"/> asks for when following a shard.</summary>
    public const int DefaultMaxWaitMs = 1000;

    /// <summary>The most records one <c>PutRecords</c> call may carry.</summary>
    public const int MaxRecordsPerPut = 500;

    /// <summary>The most bytes (data plus partition keys) one <c>PutRecords</c> call may carry: 5 MiB.</summary>
    public const int MaxBytesPerPut = 5 * 1024 * 1024;

    /// <summary>The largest data of one record: 1 MiB.</summary>
    public const int MaxRecordDataBytes = 1024 * 1024;

    // When a server answers an empty long-poll at once (or the caller asked for no wait), this
    // keeps a follower from spinning.
    private static readonly TimeSpan MinEmptyPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Creates an idempotent producer for <paramref name="stream"/> over this client: the recommended way to write
    /// (it retries what failed retriably and never writes a record twice). <see cref="PutRecordsAsync(string, IReadOnlyList{PutRecordsEntry}, CancellationToken)"/>
    /// is the low-level call.
    /// </summary>
    /// <param name="stream">The stream's name.</param>
    /// <param name="options">Idempotence, acks and retries; <see cref="SluiceProducerOptions.Default"/> when null.</param>
    /// <returns>The producer; it gets its producer id on its first call.</returns>
    public SluiceProducer CreateProducer(string stream, SluiceProducerOptions? options = null) => new(this, stream, options);

    /// <summary>
    /// Writes a batch of records (the low-level call: no retries, not idempotent; see <see cref="CreateProducer"/>).
    /// Each record succeeds or fails on its own: check
    /// <see cref="PutRecordsResponse.FailedRecordCount"/> and the result of each record (same
    /// order as <paramref name="records"/>); <see cref="IsRetriable(PutRecordsResult)"/> tells
    /// which failures to send again.
    /// </summary>
    /// <param name="stream">The stream's name.</param>
    /// <param name="records">Up to <see cref="MaxRecordsPerPut"/> records, <see cref="MaxBytesPerPut"/> in total.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per record; accepted records are durable.</returns>
    /// <exception cref="Grpc.Core.RpcException">NOT_FOUND when there is no such stream, INVALID_ARGUMENT when the batch breaks a limit.</exception>
    public Task<PutRecordsResponse> PutRecordsAsync(
        string stream, IReadOnlyList<PutRecordsEntry> records, CancellationToken cancellationToken = default) =>
        PutRecordsAsync(stream, records, Acks.Unspecified, cancellationToken);

    /// <summary>
    /// Writes a batch of records, waiting for <paramref name="acks"/>: <see cref="Acks.All"/> (every in-sync replica;
    /// UNAVAILABLE and nothing written when fewer than the stream's minimum are in sync), <see cref="Acks.Leader"/>,
    /// or <see cref="Acks.None"/> (not waited for: results carry the shard id and no sequence number).
    /// <see cref="Acks.Unspecified"/> takes the stream's default.
    /// </summary>
    public async Task<PutRecordsResponse> PutRecordsAsync(
        string stream, IReadOnlyList<PutRecordsEntry> records, Acks acks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(records);
        var request = new PutRecordsRequest { Stream = stream, Acks = acks };
        request.Records.AddRange(records);
        return await Records.PutRecordsAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one page of records of one shard.</summary>
    /// <param name="request">The shard, the position and the limits.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The records, where to continue, and how far behind the tip the page ends.</returns>
    /// <exception cref="Grpc.Core.RpcException">NOT_FOUND for an unknown stream or shard, OUT_OF_RANGE for a position retention removed.</exception>
    public async Task<GetRecordsResponse> GetRecordsAsync(GetRecordsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await Records.GetRecordsAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads one shard in order from a position, calling <c>GetRecords</c> again and again and
    /// continuing each time at the <c>next_sequence_number</c> the previous call returned.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Without <paramref name="follow"/> the enumeration ends at the tip of the shard: the first
    /// call that returns no record and is 0 ms behind the tip. With it, the reader long-polls
    /// (<paramref name="maxWaitMs"/>) and goes on until <paramref name="cancellationToken"/> is
    /// cancelled, which ends it with an <see cref="OperationCanceledException"/>.
    /// </para>
    /// <para>
    /// Either way the enumeration ends when the gateway returns no <c>next_sequence_number</c>:
    /// a closed shard (after resharding) that has been read to its end.
    /// </para>
    /// <para>
    /// A failed call ends the enumeration with its <see cref="Grpc.Core.RpcException"/>; to go
    /// on after a retriable one, call again with <see cref="StartPosition.AfterSequenceNumber"/>
    /// and the sequence number of the last record received.
    /// </para>
    /// </remarks>
    /// <param name="stream">The stream's name.</param>
    /// <param name="shardId">The shard, e.g. <c>shardId-000000000000</c>.</param>
    /// <param name="position">Where to start.</param>
    /// <param name="sequenceNumber">The sequence number for <see cref="StartPosition.AtSequenceNumber"/> and <see cref="StartPosition.AfterSequenceNumber"/>.</param>
    /// <param name="timestamp">The time for <see cref="StartPosition.AtTimestamp"/>.</param>
    /// <param name="follow">Whether to wait for new records at the tip instead of ending there.</param>
    /// <param name="limit">The most records per call (1..10000); 0 lets the gateway choose (1000).</param>
    /// <param name="maxWaitMs">How long each call waits for a record at the tip when following (0..10000).</param>
    /// <param name="decode">
    /// Also have each record decoded to JSON by the gateway (<see cref="Record.DecodedJson"/>, <see cref="Record.SchemaId"/> for a
    /// record in Confluent's wire format, or <see cref="Record.DecodeError"/>).
    /// </param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The shard's records in order.</returns>
    /// <exception cref="ArgumentException">The position needs a sequence number or a timestamp that was not given.</exception>
    public async IAsyncEnumerable<Record> ReadShardAsync(
        string stream,
        string shardId,
        StartPosition position,
        string? sequenceNumber = null,
        DateTimeOffset? timestamp = null,
        bool follow = false,
        int limit = 0,
        int maxWaitMs = DefaultMaxWaitMs,
        bool decode = false,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = CreateFirstRead(stream, shardId, position, sequenceNumber, timestamp, limit, follow ? maxWaitMs : 0);
        request.Decode = decode;
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            var response = await Records.GetRecordsAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var record in response.Records)
            {
                yield return record;
            }

            if (string.IsNullOrEmpty(response.NextSequenceNumber))
            {
                yield break;
            }

            if (response.Records.Count == 0)
            {
                if (!follow && response.MillisBehindLatest == 0)
                {
                    yield break;
                }

                var remaining = MinEmptyPollInterval - Stopwatch.GetElapsedTime(started);
                if (remaining > TimeSpan.Zero)
                {
                    await Task.Delay(remaining, cancellationToken).ConfigureAwait(false);
                }
            }

            request = new GetRecordsRequest
            {
                Stream = stream,
                ShardId = shardId,
                Position = StartPosition.AtSequenceNumber,
                SequenceNumber = response.NextSequenceNumber,
                Limit = request.Limit,
                MaxWaitMs = request.MaxWaitMs,
                Decode = request.Decode,
            };
        }
    }

    private static GetRecordsRequest CreateFirstRead(
        string stream, string shardId, StartPosition position, string? sequenceNumber, DateTimeOffset? timestamp, int limit, int maxWaitMs)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(shardId);
        var request = new GetRecordsRequest
        {
            Stream = stream,
            ShardId = shardId,
            Position = position,
            Limit = limit,
            MaxWaitMs = maxWaitMs,
        };

        switch (position)
        {
            case StartPosition.AtSequenceNumber or StartPosition.AfterSequenceNumber:
                if (string.IsNullOrEmpty(sequenceNumber))
                {
                    throw new ArgumentException($"{position} needs a sequence number.", nameof(sequenceNumber));
                }

                request.SequenceNumber = sequenceNumber;
                break;
            case StartPosition.AtTimestamp:
                if (timestamp is null)
                {
                    throw new ArgumentException($"{position} needs a timestamp.", nameof(timestamp));
                }

                request.Timestamp = Timestamp.FromDateTimeOffset(timestamp.Value);
                break;
            case StartPosition.TrimHorizon or StartPosition.Latest:
                break;
            default:
                throw new ArgumentException($"{position} is not a start position.", nameof(position));
        }

        return request;
    }
}
