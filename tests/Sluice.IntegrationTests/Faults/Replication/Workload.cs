using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Sluice.Client;
using Sluice.V1;

namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>
/// The producer side of a fault test: <see cref="WorkloadOptions.Producers"/> tasks write unique
/// values (<c>w{producer}-{n}</c>, random partition keys from a seeded <see cref="Random"/>) and
/// record every acknowledgement. A put that fails or times out leaves its values unknown (written
/// or not); retriable failures are retried with bounded, jittered exponential backoff, moving to
/// the next gateway when one is unavailable.
/// </summary>
internal sealed class Workload : IAsyncDisposable
{
    private const int MaxErrorsKept = 20;

    private readonly WorkloadOptions _options;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<AckedRecord> _acks = new();
    // Every value ever sent, with when it was first sent (since the workload started).
    private readonly ConcurrentDictionary<string, TimeSpan> _unknown = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _producers;
    private int _retriableFailures;
    private int _otherFailures;

    private Workload(WorkloadOptions options)
    {
        _options = options;
        _producers = Enumerable.Range(0, options.Producers).Select(p => Task.Run(() => ProduceAsync(p))).ToArray();
    }

    /// <summary>Time since the workload started: the clock of acknowledgements and fault marks.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    public IReadOnlyList<AckedRecord> Acks => _acks.ToArray();

    /// <summary>Values sent and never acknowledged: each may be in the log once, or not at all.</summary>
    public IReadOnlyCollection<string> Unknown
    {
        get
        {
            var acked = _acks.Select(a => a.Value).ToHashSet(StringComparer.Ordinal);
            return _unknown.Keys.Where(v => !acked.Contains(v)).ToHashSet(StringComparer.Ordinal);
        }
    }

    public int AckCount => _acks.Count;

    /// <summary>Puts (or records of a put) that failed retriably, each retried.</summary>
    public int RetriableFailures => Volatile.Read(ref _retriableFailures);

    /// <summary>Failures that are not retriable: a bug in the cluster or the harness; the first few are in <see cref="Errors"/>.</summary>
    public int OtherFailures => Volatile.Read(ref _otherFailures);

    public IReadOnlyList<string> Errors => _errors.ToArray();

    public static Workload Start(WorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Clients.Count == 0)
        {
            throw new ArgumentException("The workload needs at least one client.", nameof(options));
        }

        return new Workload(options);
    }

    /// <summary>Waits until at least <paramref name="count"/> more acknowledgements than now have arrived.</summary>
    public Task WaitForMoreAcksAsync(int count, TimeSpan timeout)
    {
        var target = AckCount + count;
        return Infrastructure.Wait.UntilAsync(() => AckCount >= target, timeout, $"{target} acknowledgements (have {AckCount}; last errors: {string.Join(" | ", Errors.TakeLast(3))})");
    }

    /// <summary>
    /// The time from <paramref name="since"/> to the first acknowledgement after it (of one of
    /// <paramref name="shards"/> when given), or null when none came.
    /// </summary>
    public TimeSpan? FirstAckAfter(TimeSpan since, IReadOnlySet<string>? shards = null)
    {
        // No shard named (e.g. the killed node led none of the stream's shards): any shard's ack counts.
        var first = _acks.Where(a => a.AckedAt >= since && (shards is null || shards.Count == 0 || shards.Contains(a.ShardId))).Select(a => (TimeSpan?)a.AckedAt).Min();
        return first - since;
    }

    /// <summary>Acknowledgements that arrived within [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public int AcksBetween(TimeSpan from, TimeSpan to) => _acks.Count(a => a.AckedAt >= from && a.AckedAt < to);

    /// <summary>Stops sending; puts in flight finish (bounded by the put timeout) and are recorded.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_producers);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task ProduceAsync(int producer)
    {
        var random = new Random(HashCode.Combine(_options.Seed, producer) & int.MaxValue);
        var sender = _options.SenderFactory(producer);
        var client = 0;
        var next = 0;
        var failuresInRow = 0;
        List<PutRecordsEntry> pending = [];
        while (!_stop.IsCancellationRequested)
        {
            if (pending.Count == 0)
            {
                pending = NewEntries(producer, ref next, _options.BatchSize, random);
            }

            var failed = await PutOnceAsync(sender, _options.Clients[client], pending);
            if (failed.Entries.Count == 0)
            {
                failuresInRow = 0;
                pending = [];
                await PaceAsync(_options.Pace);
                continue;
            }

            if (failed.GatewayUnavailable)
            {
                client = (client + 1) % _options.Clients.Count;
            }

            // Fresh: the failed values stay unknown and new ones take their place; Same: the very
            // same records go again (their values are unknown until acknowledged).
            pending = _options.Retry == RetryValues.Same ? failed.Entries : NewEntries(producer, ref next, failed.Entries.Count, random);
            failuresInRow++;
            var backoff = Math.Min(_options.MaxBackoff.TotalMilliseconds, _options.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failuresInRow - 1, 16)));
            await PaceAsync(TimeSpan.FromMilliseconds(backoff * (0.5 + (random.NextDouble() / 2))));
        }

        (sender as IDisposable)?.Dispose();
    }

    /// <summary>One put; records acknowledgements and unknowns, and answers the records to send again.</summary>
    private async Task<(List<PutRecordsEntry> Entries, bool GatewayUnavailable)> PutOnceAsync(IRecordSender sender, SluiceClient client, List<PutRecordsEntry> entries)
    {
        foreach (var entry in entries)
        {
            _unknown.TryAdd(entry.Data.ToStringUtf8(), _clock.Elapsed);
        }

        PutRecordsResponse response;
        using var timeout = new CancellationTokenSource(_options.PutTimeout);
        try
        {
            response = await sender.PutAsync(client, _options.Stream, entries, timeout.Token);
        }
        catch (RpcException ex) when (SluiceClient.IsRetriable(ex) || ex.StatusCode == StatusCode.Cancelled)
        {
            Interlocked.Increment(ref _retriableFailures);
            return (entries, ex.StatusCode == StatusCode.Unavailable);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Interlocked.Increment(ref _retriableFailures);
            return (entries, false);
        }
        catch (RpcException ex)
        {
            RecordError($"{ex.StatusCode}: {ex.Status.Detail}");
            return (entries, false);
        }

        var retry = new List<PutRecordsEntry>();
        for (var i = 0; i < entries.Count; i++)
        {
            var result = response.Results[i];
            if (string.IsNullOrEmpty(result.ErrorCode))
            {
                var value = entries[i].Data.ToStringUtf8();
                _acks.Enqueue(new AckedRecord(value, result.ShardId, result.SequenceNumber, _clock.Elapsed, _unknown[value]));
                continue;
            }

            if (SluiceClient.IsRetriable(result))
            {
                Interlocked.Increment(ref _retriableFailures);
            }
            else
            {
                RecordError($"{result.ErrorCode}: {result.ErrorMessage}");
            }

            retry.Add(entries[i]);
        }

        return (retry, false);
    }

    private void RecordError(string error)
    {
        Interlocked.Increment(ref _otherFailures);
        if (_errors.Count < MaxErrorsKept)
        {
            _errors.Enqueue(error);
        }
    }

    private static List<PutRecordsEntry> NewEntries(int producer, ref int next, int count, Random random)
    {
        var entries = new List<PutRecordsEntry>(count);
        for (var i = 0; i < count; i++)
        {
            entries.Add(new PutRecordsEntry
            {
                PartitionKey = "k" + random.Next().ToString(CultureInfo.InvariantCulture),
                Data = ByteString.CopyFromUtf8($"w{producer}-{next++}"),
            });
        }

        return entries;
    }

    private async Task PaceAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop ends at its next check.
        }
    }
}
