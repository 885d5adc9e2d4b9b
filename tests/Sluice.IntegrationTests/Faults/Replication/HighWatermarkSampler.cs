using Sluice.Client;

namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>
/// Samples every shard's consumer-visible end (the high watermark) in the background, so the
/// checker can tell whether it ever went down. Shards that do not answer are skipped for a round.
/// </summary>
internal sealed class HighWatermarkSampler : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    private readonly SluiceClient _client;
    private readonly string _stream;
    private readonly IReadOnlyList<string> _shards;
    private readonly Func<TimeSpan> _clock;
    private readonly List<HighWatermarkSample> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public HighWatermarkSampler(SluiceClient client, string stream, IReadOnlyList<string> shards, Func<TimeSpan> clock)
    {
        _client = client;
        _stream = stream;
        _shards = shards;
        _clock = clock;
        _loop = Task.Run(RunAsync);
    }

    public IReadOnlyList<HighWatermarkSample> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            foreach (var shard in _shards)
            {
                using var call = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                call.CancelAfter(CallTimeout);
                long? end;
                try
                {
                    end = await ShardConsumer.VisibleEndAsync(_client, _stream, shard, call.Token);
                }
                catch (OperationCanceledException)
                {
                    end = null;
                }

                if (end is { } highWatermark)
                {
                    lock (_samples)
                    {
                        _samples.Add(new HighWatermarkSample(shard, highWatermark, _clock()));
                    }
                }
            }

            try
            {
                await Task.Delay(Interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
