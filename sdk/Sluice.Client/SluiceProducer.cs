using Grpc.Core;
using Sluice.V1;

namespace Sluice.Client;

/// <summary>
/// The recommended way to write to a stream: an idempotent producer (Kafka's KIP-98) that sends <c>PutRecords</c>
/// calls, retries what failed retriably, and returns each record's final result. Create it with
/// <see cref="SluiceClient.CreateProducer"/>.
/// </summary>
/// <remarks>
/// <para>
/// On first use the producer gets a producer id from the gateway (<c>InitProducer</c>); each call then carries that id
/// and the next sequence number. A retry sends the very same call again (same records, same sequence), so a storage
/// node that wrote it the first time answers with the original sequence numbers instead of writing it again: no
/// record is written twice, even when the first attempt's outcome was unknown (the gateway died, the in-sync replicas
/// were slow to confirm).
/// </para>
/// <para>
/// A producer sends one call at a time (calls made concurrently wait for each other, in order): the storage nodes keep
/// each producer's last five calls per shard, and refuse a call older than those with <c>DuplicateSequence</c>. Use
/// several producers for parallelism. The producer is safe to share between threads; dispose it when done (the client
/// stays open).
/// </para>
/// <para>
/// To resend a call through another client (another gateway) after the producer gave up on it, keep the
/// <see cref="ProducerPut"/> of <see cref="Prepare"/> and pass it to <see cref="SendAsync(ProducerPut, SluiceClient?, CancellationToken)"/>
/// again with that client: the producer id and sequence belong to the producer and the call, not to a connection.
/// </para>
/// </remarks>
public sealed class SluiceProducer : IDisposable
{
    private readonly SemaphoreSlim _sending = new(1, 1);
    private long _producerId;
    private int _nextSequence;

    /// <summary>Creates a producer that writes to <paramref name="stream"/> through <paramref name="client"/>.</summary>
    /// <param name="client">The client calls go through unless a call names another.</param>
    /// <param name="stream">The stream's name.</param>
    /// <param name="options">Idempotence, acks and retries; <see cref="SluiceProducerOptions.Default"/> when null.</param>
    public SluiceProducer(SluiceClient client, string stream, SluiceProducerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(stream);
        options ??= SluiceProducerOptions.Default;
        options.Validate();
        Client = client;
        Stream = stream;
        Options = options;
    }

    /// <summary>The client calls go through unless a call names another.</summary>
    public SluiceClient Client { get; }

    /// <summary>The stream the producer writes to.</summary>
    public string Stream { get; }

    /// <summary>The options the producer was created with.</summary>
    public SluiceProducerOptions Options { get; }

    /// <summary>The producer id, or <see langword="null"/> before the first call (or when not idempotent).</summary>
    public long? ProducerId => Volatile.Read(ref _producerId) is > 0 and var id ? id : null;

    /// <summary>
    /// Makes a call of <paramref name="records"/> to send with <see cref="SendAsync(ProducerPut, SluiceClient?, CancellationToken)"/>
    /// (as often as needed); it takes its sequence number when first sent.
    /// </summary>
    /// <param name="records">Up to <see cref="SluiceClient.MaxRecordsPerPut"/> records, <see cref="SluiceClient.MaxBytesPerPut"/> in total.</param>
    /// <returns>The call.</returns>
    public ProducerPut Prepare(IReadOnlyList<PutRecordsEntry> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            throw new ArgumentException("A put needs at least one record.", nameof(records));
        }

        return new ProducerPut(this, [.. records]);
    }

    /// <summary>Writes <paramref name="records"/> as one call, retrying retriable failures; see <see cref="SendAsync(ProducerPut, SluiceClient?, CancellationToken)"/>.</summary>
    /// <param name="records">Up to <see cref="SluiceClient.MaxRecordsPerPut"/> records, <see cref="SluiceClient.MaxBytesPerPut"/> in total.</param>
    /// <param name="cancellationToken">Cancels the call (its records may or may not have been written).</param>
    /// <returns>The final result of each record, in order.</returns>
    public Task<PutRecordsResponse> SendAsync(IReadOnlyList<PutRecordsEntry> records, CancellationToken cancellationToken = default) =>
        SendAsync(Prepare(records), via: null, cancellationToken);

    /// <summary>
    /// Sends a call until every record is written or has failed for good: a retriable failure of the whole call or of
    /// some records is sent again (the whole call, with its sequence, when idempotent; the failed records otherwise)
    /// after a jittered exponential backoff, up to <see cref="SluiceProducerOptions.MaxAttempts"/> times. Sending the
    /// same <paramref name="put"/> again later goes on from there: records written already keep their results.
    /// </summary>
    /// <param name="put">A call this producer prepared.</param>
    /// <param name="via">The client to send through; <see cref="Client"/> when null.</param>
    /// <param name="cancellationToken">Cancels the call (its records may or may not have been written).</param>
    /// <returns>The final result of each record, in order; failed ones carry their last error.</returns>
    /// <exception cref="RpcException">
    /// The whole call failed: not retriable (e.g. NOT_FOUND, INVALID_ARGUMENT), or still retriable when the attempts ran out.
    /// </exception>
    public async Task<PutRecordsResponse> SendAsync(ProducerPut put, SluiceClient? via = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(put);
        if (!ReferenceEquals(put.Producer, this))
        {
            throw new ArgumentException("The call was prepared by another producer.", nameof(put));
        }

        var client = via ?? Client;
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    if (Options.Idempotent && !put.IsStamped)
                    {
                        await StampAsync(put, client, cancellationToken).ConfigureAwait(false);
                    }

                    // Idempotent: the very same call again, which the storage nodes recognise; else only what failed.
                    var indexes = Options.Idempotent ? AllIndexes(put.Records.Count) : put.Unwritten();
                    if (indexes.Count > 0)
                    {
                        var response = await client.Records.PutRecordsAsync(CreateRequest(put, indexes), cancellationToken: cancellationToken).ConfigureAwait(false);
                        put.Merge(indexes, response);
                    }
                }
                catch (RpcException ex) when (SluiceClient.IsRetriable(ex) && attempt < Options.MaxAttempts)
                {
                    await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var result = put.ToResponse();
                if (attempt >= Options.MaxAttempts || !HasRetriable(result))
                {
                    return result;
                }

                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Releases the producer's own resources; the client is not disposed.</summary>
    public void Dispose() => _sending.Dispose();

    private async Task StampAsync(ProducerPut put, SluiceClient client, CancellationToken cancellationToken)
    {
        if (_producerId <= 0)
        {
            var init = await client.Records.InitProducerAsync(new InitProducerRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _producerId, init.ProducerId);
            _nextSequence = 0;
        }

        put.Stamp(_producerId, _nextSequence);
        if (_nextSequence == int.MaxValue)
        {
            // Sequences are spent: the next call starts a new producer id at 0.
            Volatile.Write(ref _producerId, 0);
        }
        else
        {
            _nextSequence++;
        }
    }

    private PutRecordsRequest CreateRequest(ProducerPut put, List<int> indexes)
    {
        var request = new PutRecordsRequest { Stream = Stream, Acks = Options.Acks };
        foreach (var index in indexes)
        {
            request.Records.Add(put.Records[index]);
        }

        if (put.ProducerId is { } producerId && put.Sequence is { } sequence)
        {
            request.ProducerId = producerId;
            request.ProducerSequence = sequence;
        }

        return request;
    }

    private static List<int> AllIndexes(int count)
    {
        var indexes = new List<int>(count);
        for (var i = 0; i < count; i++)
        {
            indexes.Add(i);
        }

        return indexes;
    }

    private static bool HasRetriable(PutRecordsResponse response)
    {
        foreach (var result in response.Results)
        {
            if (SluiceClient.IsRetriable(result))
            {
                return true;
            }
        }

        return false;
    }

    private TimeSpan Backoff(int attempt)
    {
        var exponential = Options.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 16));
        var capped = Math.Min(exponential, Options.MaxBackoff.TotalMilliseconds);
        // Between half and the whole delay, so producers that failed together do not retry together.
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }
}
