using System.Globalization;
using System.Text;
using Sluice.Client;
using Sluice.Core;
using Sluice.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>
/// One fault test's run: a fresh stream of its own, the workload and the high-watermark sampler
/// on it, the faults marked on the workload's clock, and at the end the consumer's read, every
/// replica read from disk (nodes stopped), the checker's verdict and a summary in the test output.
/// Disposing it heals the cluster for the next test of the collection.
/// </summary>
internal sealed class ReplicationScenario : IAsyncDisposable
{
    public const int DefaultShardCount = 4;

    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(60);

    private readonly ITestOutputHelper _output;
    private readonly List<FaultMark> _marks = [];
    private HighWatermarkSampler? _sampler;

    private ReplicationScenario(SluiceCluster cluster, ITestOutputHelper output, SluiceClient client, string stream, long streamId, IReadOnlyList<string> shardIds, int seed)
    {
        Cluster = cluster;
        _output = output;
        Client = client;
        Stream = stream;
        StreamId = streamId;
        ShardIds = shardIds;
        Seed = seed;
        Random = new Random(seed);
    }

    public SluiceCluster Cluster { get; }

    /// <summary>A client of the cluster's main gateway, for the tenant that owns <see cref="Stream"/>.</summary>
    public SluiceClient Client { get; }

    public TestTenant Tenant { get; private init; } = null!;

    public string Stream { get; }

    public long StreamId { get; }

    public IReadOnlyList<string> ShardIds { get; }

    public int Seed { get; }

    /// <summary>Seeded: for the test's own choices (which node, which order).</summary>
    public Random Random { get; }

    public Workload Workload { get; private set; } = null!;

    /// <summary>The history the checker saw, once <see cref="FinishAsync"/> has run.</summary>
    public History? History { get; private set; }

    public static async Task<ReplicationScenario> CreateAsync(SluiceCluster cluster, ITestOutputHelper output, string label, int seed, int shardCount = DefaultShardCount)
    {
        var tenant = await cluster.CreateTenantAsync("rf");
        var client = cluster.CreateClient(tenant);
        var stream = $"rf-{label}-{Guid.NewGuid():N}";
        var description = await client.CreateStreamAsync(stream, shardCount);
        var streamId = await cluster.StreamIdAsync(tenant.Id, stream);
        output.WriteLine($"stream {stream} (id {streamId}), {shardCount} shards, seed {seed}");
        return new ReplicationScenario(cluster, output, client, stream, streamId, description.Shards.Select(s => s.ShardId).ToList(), seed) { Tenant = tenant };
    }

    /// <summary>Starts the producers (and the high-watermark sampler) on the stream.</summary>
    public void StartWorkload(Func<WorkloadOptions, WorkloadOptions>? configure = null)
    {
        var options = new WorkloadOptions { Stream = Stream, Clients = [Client], Seed = Seed };
        Workload = Workload.Start(configure is null ? options : configure(options));
        _sampler = new HighWatermarkSampler(Client, Stream, ShardIds, () => Workload.Elapsed);
    }

    /// <summary>Marks a fault now on the workload's clock; the summary reports the first acknowledgement after it (of <paramref name="shards"/> when given).</summary>
    public TimeSpan Mark(string label, IEnumerable<string>? shards = null)
    {
        var at = Workload.Elapsed;
        _marks.Add(new FaultMark(label, at, shards?.ToHashSet(StringComparer.Ordinal)));
        _output.WriteLine($"{at.TotalSeconds,7:0.000} s  {label}");
        return at;
    }

    /// <summary>The shard ids (<c>shardId-…</c>) a node leads now.</summary>
    public async Task<IReadOnlyList<string>> ShardsLedByAsync(string nodeId) =>
        (await Cluster.ShardStatesAsync(StreamId)).Where(s => s.LeaderNodeId == nodeId).Select(s => ShardId.Format(s.ShardIndex)).ToList();

    /// <summary>
    /// Stops the workload, reads every shard to its end, stops every node and reads every replica
    /// from disk, starts the nodes again, and checks the history. Prints the summary.
    /// </summary>
    public async Task<CheckResult> FinishAsync()
    {
        await Workload.StopAsync();
        await _sampler!.StopAsync();
        var reads = await ShardConsumer.ReadAllAsync(Client, Stream, ReadTimeout);
        var shards = await Cluster.ShardStatesAsync(StreamId);

        await Task.WhenAll(Cluster.Nodes.Select(n => n.StopAsync()));
        IReadOnlyList<ReplicaLog> replicas;
        try
        {
            replicas = await ReplicaSnapshot.ReadAsync(Cluster, StreamId, shards);
        }
        finally
        {
            await Cluster.HealAsync();
        }

        var highWatermarks = shards.ToDictionary(
            s => ShardId.Format(s.ShardIndex),
            s => ReplicaHighWatermark.Resolve(s, replicas.Where(r => r.ShardId == ShardId.Format(s.ShardIndex)).ToList()));
        History = new History
        {
            Acks = Workload.Acks,
            Unknown = Workload.Unknown,
            Reads = reads,
            Replicas = replicas,
            HighWatermarks = highWatermarks,
            HighWatermarkSamples = _sampler.Samples,
        };
        var result = HistoryChecker.Check(History);
        _output.WriteLine(Summary(History, shards, result));
        return result;
    }

    /// <summary>Asserts that writes were acknowledged again after every marked fault (on its shards when it named some).</summary>
    public void AssertWritesResumedAfterEveryFault()
    {
        foreach (var mark in _marks)
        {
            Assert.True(Workload.FirstAckAfter(mark.At, mark.Shards) is not null, $"no write was acknowledged after '{mark.Label}' at {mark.At.TotalSeconds:0.000} s");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Workload is not null)
        {
            await Workload.DisposeAsync();
        }

        if (_sampler is not null)
        {
            await _sampler.DisposeAsync();
        }

        Client.Dispose();
        await Cluster.HealAsync();
    }

    private string Summary(History history, IReadOnlyList<ShardReplicationState> shards, CheckResult result)
    {
        var summary = new StringBuilder();
        summary.AppendLine(CultureInfo.InvariantCulture,
            $"acks {history.Acks.Count}, unknown {history.Unknown.Count}, reads {history.Reads.Count}, retriable failures {Workload.RetriableFailures}, other failures {Workload.OtherFailures}, high-watermark samples {history.HighWatermarkSamples.Count}");
        foreach (var error in Workload.Errors.Distinct().Take(5))
        {
            summary.AppendLine(CultureInfo.InvariantCulture, $"  error: {error}");
        }

        foreach (var mark in _marks)
        {
            var failover = Workload.FirstAckAfter(mark.At, mark.Shards);
            summary.AppendLine(CultureInfo.InvariantCulture,
                $"  {mark.Label}: first ack after it {(failover is { } time ? $"{time.TotalSeconds:0.000} s" : "never")}");
        }

        foreach (var shard in shards)
        {
            var id = ShardId.Format(shard.ShardIndex);
            summary.AppendLine(CultureInfo.InvariantCulture,
                $"  {id}: leader {shard.LeaderNodeId ?? "none"} epoch {shard.LeaderEpoch}, replicas [{string.Join(",", shard.Replicas)}], isr [{string.Join(",", shard.Isr)}], high watermark {history.HighWatermarks.GetValueOrDefault(id)}, " +
                $"replica ends [{string.Join(",", history.Replicas.Where(r => r.ShardId == id).Select(r => $"{r.NodeId}:{r.LogEndOffset}"))}]");
        }

        summary.Append("checker: ").Append(result.Describe());
        return summary.ToString();
    }

    private sealed record FaultMark(string Label, TimeSpan At, IReadOnlySet<string>? Shards);
}
