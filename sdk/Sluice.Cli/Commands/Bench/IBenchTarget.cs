namespace Sluice.Cli.Commands.Bench;

/// <summary>The API a benchmark drives: gRPC through <c>SluiceClient</c>, or REST through <c>HttpClient</c>.</summary>
internal interface IBenchTarget : IDisposable
{
    /// <summary>The endpoint, for reports and error messages.</summary>
    Uri Endpoint { get; }

    /// <summary>Creates a stream and waits until it is ACTIVE; returns its shard ids.</summary>
    Task<IReadOnlyList<string>> CreateStreamAsync(string name, int shards, CancellationToken cancellationToken);

    /// <summary>The ids of an existing stream's open shards.</summary>
    Task<IReadOnlyList<string>> DescribeShardsAsync(string name, CancellationToken cancellationToken);

    Task DeleteStreamAsync(string name, CancellationToken cancellationToken);

    /// <summary>A producer's connection state and reusable batch buffers; one per producer task.</summary>
    IBenchSender CreateSender(string stream, BenchSettings settings, int seed);

    /// <summary>
    /// Reads one shard until cancelled, handing every record's data to <paramref name="sink"/>;
    /// completes <paramref name="ready"/> once the first read has answered. Reads start at least
    /// <paramref name="pollInterval"/> apart, and an empty one waits at least
    /// <see cref="BenchStreams.MinEmptyPollInterval"/> before the next.
    /// </summary>
    Task ConsumeAsync(string stream, string shardId, bool fromLatest, TimeSpan pollInterval, BenchConsumerSink sink, TaskCompletionSource ready, CancellationToken cancellationToken);
}
