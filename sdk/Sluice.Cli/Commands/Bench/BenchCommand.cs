using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Sluice.Client;

namespace Sluice.Cli.Commands.Bench;

/// <summary>
/// <c>sluice bench</c>: an OpenMessaging-style workload. Producers write batches of random records
/// to a stream of N shards, consumers tail every shard, and the run reports throughput and
/// acknowledgement and end-to-end latency percentiles (HdrHistogram), warm-up excluded.
/// </summary>
internal sealed class BenchCommand
{
    private const string ApiGrpc = "grpc";
    private const string ApiRest = "rest";
    private const string ApiKinesis = "kinesis";
    private const int StreamSuffixBytes = 4;
    private static readonly TimeSpan ConsumersReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan CatchUpCheckInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(30);

    private readonly CliContext _context;
    private readonly BenchSettings _settings;
    private readonly IBenchTarget _target;
    private Exception? _consumerFailure;

    private BenchCommand(CliContext context, BenchSettings settings, IBenchTarget target)
    {
        _context = context;
        _settings = settings;
        _target = target;
    }

    public static Command Create(CliContext context, ConnectionOptions connection)
    {
        var api = new Option<string>("--api") { Description = "The API to drive: grpc, rest, or kinesis (signed with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, at AWS_ENDPOINT_URL_KINESIS or the REST endpoint)", DefaultValueFactory = _ => ApiGrpc };
        api.AcceptOnlyFromAmong(ApiGrpc, ApiRest, ApiKinesis);
        var shards = IntOption("--shards", "N", "Shards of the stream the run creates", 16, min: 1);
        var recordSize = IntOption("--record-size", "BYTES", "Bytes per record (the first 8 carry the send time)", 1024, min: BenchSettings.TimestampBytes, max: SluiceClient.MaxRecordDataBytes);
        var duration = IntOption("--duration", "SECONDS", "Seconds measured, after the warm-up", 10, min: 1);
        var warmup = IntOption("--warmup", "SECONDS", "Seconds of warm-up, not measured", 2, min: 0);
        var rate = IntOption("--rate", "RECORDS/S", "Records per second in total; 0 sends as fast as the producers can", 0, min: 0);
        var producers = IntOption("--producers", "N", "Concurrent producers, each with one batch in flight", 8, min: 1);
        var batchSize = IntOption("--batch-size", "N", "Records per PutRecords call", 100, min: 1, max: SluiceClient.MaxRecordsPerPut);
        var pollInterval = IntOption("--poll-interval", "MS",
            "Least milliseconds between two reads of one shard by a consumer; Kinesis allows 5 reads per second per shard, hence 200. 0 reads again as soon as an answer arrives",
            BenchStreams.DefaultPollIntervalMs, min: 0, max: 60_000);
        var consumers = new Option<string>("--consumers") { Description = "Tail every shard and measure end-to-end latency", DefaultValueFactory = _ => "on" };
        consumers.AcceptOnlyFromAmong("on", "off");
        var catchUp = new Option<bool>("--catch-up")
        {
            Description = "After producing, read every record of the run back from TRIM_HORIZON on all shards at once and report that catch-up rate",
        };
        var stream = new Option<string?>("--stream") { Description = "Use this existing stream (it is kept) instead of creating bench-<random>", HelpName = "NAME" };
        var keep = new Option<bool>("--keep") { Description = "Do not delete the stream the run created" };
        var json = new Option<bool>("--json") { Description = "Print one JSON line of results to stdout (the table goes to stderr)" };
        var jsonRecords = new Option<bool>("--json-records")
        {
            Description = "Send JSON records valid against infra/bench/json-schema-10.json (padded to --record-size) instead of random bytes: "
                + "bind the stream to a subject with that schema to measure produce with schema enforcement",
        };

        var command = new Command("bench", "Benchmark the gateway: produce at max or fixed rate, consume, and report throughput and latency percentiles.")
        {
            api, shards, recordSize, duration, warmup, rate, producers, batchSize, consumers, pollInterval, catchUp, stream, keep, json, jsonRecords,
        };
        command.Validators.Add(result =>
        {
            var size = result.GetValue(recordSize);
            var batch = result.GetValue(batchSize);
            if ((long)size * batch > SluiceClient.MaxBytesPerPut)
            {
                result.AddError($"--batch-size {batch} × --record-size {size} is more than the {SluiceClient.MaxBytesPerPut / (1024 * 1024)} MiB a PutRecords call may carry.");
            }

            if (result.GetValue(jsonRecords) && size < BenchJsonRecords.MinRecordSize)
            {
                result.AddError($"--json-records needs --record-size of at least {BenchJsonRecords.MinRecordSize} bytes (the ten fields of infra/bench/json-schema-10.json).");
            }
        });

        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            var settings = new BenchSettings
            {
                Api = parseResult.GetRequiredValue(api),
                Shards = parseResult.GetValue(shards),
                RecordSize = parseResult.GetValue(recordSize),
                DurationSeconds = parseResult.GetValue(duration),
                WarmupSeconds = parseResult.GetValue(warmup),
                Rate = parseResult.GetValue(rate),
                Producers = parseResult.GetValue(producers),
                BatchSize = parseResult.GetValue(batchSize),
                Consumers = parseResult.GetRequiredValue(consumers) == "on",
                PollIntervalMs = parseResult.GetValue(pollInterval),
                CatchUp = parseResult.GetValue(catchUp),
                Stream = parseResult.GetValue(stream),
                Keep = parseResult.GetValue(keep),
                Json = parseResult.GetValue(json),
                JsonRecords = parseResult.GetValue(jsonRecords),
            };

            using IBenchTarget target = settings.Api switch
            {
                ApiRest => new RestBenchTarget(connection.ResolveHttp(parseResult, context), connection.ResolveToken(parseResult, context)),
                ApiKinesis => new KinesisBenchTarget(ResolveKinesisEndpoint(parseResult, context, connection), KinesisSigner.FromEnvironment(context)),
                _ => new GrpcBenchTarget(connection.ResolveGrpc(parseResult, context)),
            };
            run.Endpoint = target.Endpoint;
            var result = await new BenchCommand(context, settings, target).RunAsync(ct);
            if (settings.Json)
            {
                result.WriteTable(context.Stderr);
                result.WriteJson(context.Stdout);
            }
            else
            {
                result.WriteTable(context.Stdout);
            }

            if (result.Records == 0)
            {
                context.Error($"no record was acknowledged{(result.FirstError is null ? string.Empty : ": " + result.FirstError)}");
                return CommandRunner.ExitFailure;
            }

            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    /// <summary>AWS_ENDPOINT_URL_KINESIS (as the AWS SDKs read it), else the REST endpoint's host and port.</summary>
    private static Uri ResolveKinesisEndpoint(ParseResult parseResult, CliContext context, ConnectionOptions connection)
    {
        var variable = context.GetEnvironmentVariable("AWS_ENDPOINT_URL_KINESIS");
        if (!string.IsNullOrWhiteSpace(variable))
        {
            return Uri.TryCreate(variable.Trim(), UriKind.Absolute, out var uri)
                ? uri
                : throw new CliException($"AWS_ENDPOINT_URL_KINESIS is not an absolute URL: '{variable}'");
        }

        return new Uri(connection.ResolveHttp(parseResult, context).GetLeftPart(UriPartial.Authority));
    }

    private static Option<int> IntOption(string name, string helpName, string description, int defaultValue, int min, int max = int.MaxValue)
    {
        var option = new Option<int>(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value < min || value > max)
            {
                result.AddError(max == int.MaxValue
                    ? $"{name} must be at least {min}."
                    : $"{name} must be between {min} and {max}.");
            }
        });
        return option;
    }

    private async Task<BenchResult> RunAsync(CancellationToken cancellationToken)
    {
        var created = _settings.Stream is null;
        var stream = _settings.Stream ?? "bench-" + Convert.ToHexStringLower(RandomBytes(StreamSuffixBytes));
        IReadOnlyList<string> shards;
        if (created)
        {
            Progress($"creating stream {stream} with {_settings.Shards} shards on {_target.Endpoint}");
            shards = await _target.CreateStreamAsync(stream, _settings.Shards, cancellationToken);
        }
        else
        {
            shards = await _target.DescribeShardsAsync(stream, cancellationToken);
        }

        try
        {
            return await MeasureAsync(stream, shards, fromLatest: !created, cancellationToken);
        }
        finally
        {
            if (created && !_settings.Keep)
            {
                await DeleteAsync(stream);
            }
        }
    }

    private async Task<BenchResult> MeasureAsync(string stream, IReadOnlyList<string> shards, bool fromLatest, CancellationToken cancellationToken)
    {
        using var consuming = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var window = new BenchWindow();
        var sinks = new List<BenchConsumerSink>();
        var consumers = new List<Task>();
        try
        {
            if (_settings.Consumers)
            {
                var ready = new List<Task>();
                foreach (var shard in shards)
                {
                    var sink = new BenchConsumerSink(window, _settings.JsonRecords);
                    var shardReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    sinks.Add(sink);
                    ready.Add(shardReady.Task);
                    consumers.Add(ConsumeAsync(stream, shard, fromLatest, sink, shardReady, consuming));
                }

                // Producing before every consumer holds a position would lose records from LATEST.
                try
                {
                    await Task.WhenAll(ready).WaitAsync(ConsumersReadyTimeout, cancellationToken);
                }
                catch (TimeoutException)
                {
                    throw new CliException($"consumers could not start reading {stream} within {ConsumersReadyTimeout.TotalSeconds:0} s");
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && _consumerFailure is not null)
                {
                    throw _consumerFailure;
                }
            }

            var counters = new BenchCounters();
            var producers = new BenchProducer[_settings.Producers];
            var seed = Random.Shared.Next();
            for (var i = 0; i < producers.Length; i++)
            {
                producers[i] = new BenchProducer(_target.CreateSender(stream, _settings, seed + i), _settings, counters, i);
            }

            try
            {
                await ProduceAsync(window, counters, producers, sinks, cancellationToken);
                if (_settings.Consumers)
                {
                    await DrainAsync(counters, sinks, consuming.Token);
                }

                // The sinks' histograms are read only once their consumers have stopped.
                await consuming.CancelAsync();
                await Task.WhenAll(consumers);
                cancellationToken.ThrowIfCancellationRequested();
                if (_consumerFailure is not null)
                {
                    throw _consumerFailure;
                }

                var catchUp = _settings.CatchUp ? await CatchUpAsync(stream, shards, window, counters.Acked, cancellationToken) : (double?)null;
                return Summarize(stream, shards.Count, window, counters, producers, sinks) with { CatchUpRecordsPerSecond = catchUp };
            }
            finally
            {
                foreach (var producer in producers)
                {
                    producer.Dispose();
                }
            }
        }
        finally
        {
            await consuming.CancelAsync();
            await Task.WhenAll(consumers);
        }
    }

    private async Task ProduceAsync(
        BenchWindow window, BenchCounters counters, BenchProducer[] producers, List<BenchConsumerSink> sinks, CancellationToken cancellationToken)
    {
        Progress($"running: {_settings.WarmupSeconds} s warm-up, then {_settings.DurationSeconds} s measured");
        using var progressStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.Open(TimeSpan.FromSeconds(_settings.WarmupSeconds), TimeSpan.FromSeconds(_settings.DurationSeconds));
        var producing = new Task[producers.Length];
        for (var i = 0; i < producers.Length; i++)
        {
            producing[i] = producers[i].RunAsync(window, cancellationToken);
        }

        var progress = ReportProgressAsync(window, counters, sinks, progressStop.Token);
        try
        {
            await Task.WhenAll(producing);
        }
        finally
        {
            await progressStop.CancelAsync();
            await progress;
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Reads the run's records back from the oldest on every shard at once; records per second.</summary>
    private async Task<double> CatchUpAsync(string stream, IReadOnlyList<string> shards, BenchWindow window, long expected, CancellationToken cancellationToken)
    {
        Progress($"catch-up: reading {expected:N0} records back from TRIM_HORIZON on {shards.Count} shards");
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sinks = shards.Select(_ => new BenchConsumerSink(window, _settings.JsonRecords)).ToList();
        var started = Stopwatch.GetTimestamp();
        var readers = shards.Select((shard, i) => ConsumeAsync(
            stream, shard, fromLatest: false, sinks[i], new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), reading)).ToList();
        try
        {
            while (sinks.Sum(s => s.Received) < expected)
            {
                if (_consumerFailure is { } failure)
                {
                    throw failure;
                }

                if (Stopwatch.GetElapsedTime(started) > CatchUpTimeout)
                {
                    throw new CliException($"catch-up read {sinks.Sum(s => s.Received):N0} of {expected:N0} records in {CatchUpTimeout.TotalMinutes:0} minutes");
                }

                await Task.Delay(CatchUpCheckInterval, cancellationToken);
            }

            return expected / Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
        finally
        {
            await reading.CancelAsync();
            await Task.WhenAll(readers);
        }
    }

    private BenchResult Summarize(
        string stream, int shardCount, BenchWindow window, BenchCounters counters, BenchProducer[] producers, List<BenchConsumerSink> sinks)
    {
        var ack = LatencyHistograms.Merge(producers.Select(p => p.AckLatency));
        var e2e = LatencyHistograms.Merge(sinks.Select(s => s.Latency));
        var consumers = _settings.Consumers;
        return new BenchResult
        {
            Settings = _settings with { Shards = shardCount, Stream = stream },
            Stream = stream,
            DurationSeconds = window.Measured.TotalSeconds,
            Records = producers.Sum(p => p.Acked),
            Failed = producers.Sum(p => p.Failed),
            Consumed = consumers ? sinks.Sum(s => s.Received) : null,
            AckP50Ms = LatencyHistograms.PercentileMs(ack, 50),
            AckP99Ms = LatencyHistograms.PercentileMs(ack, 99),
            AckP999Ms = LatencyHistograms.PercentileMs(ack, 99.9),
            AckMaxMs = LatencyHistograms.MaxMs(ack),
            E2eP50Ms = consumers ? LatencyHistograms.PercentileMs(e2e, 50) : null,
            E2eP99Ms = consumers ? LatencyHistograms.PercentileMs(e2e, 99) : null,
            E2eP999Ms = consumers ? LatencyHistograms.PercentileMs(e2e, 99.9) : null,
            FirstError = counters.FirstError,
        };
    }

    private async Task ConsumeAsync(
        string stream, string shard, bool fromLatest, BenchConsumerSink sink, TaskCompletionSource ready, CancellationTokenSource consuming)
    {
        await Task.Yield();
        try
        {
            await _target.ConsumeAsync(stream, shard, fromLatest, TimeSpan.FromMilliseconds(_settings.PollIntervalMs), sink, ready, consuming.Token);
        }
        catch (OperationCanceledException) when (consuming.IsCancellationRequested)
        {
            ready.TrySetCanceled(consuming.Token);
        }
        catch (Exception e)
        {
            // A consumer that cannot read makes the end-to-end numbers meaningless: stop the run.
            Interlocked.CompareExchange(ref _consumerFailure, e, null);
            ready.TrySetException(e);
            await consuming.CancelAsync();
        }
    }

    /// <summary>Waits until the consumers have received every acknowledged record, or the drain timeout.</summary>
    private static async Task DrainAsync(BenchCounters counters, List<BenchConsumerSink> sinks, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            while (sinks.Sum(s => s.Received) < counters.Acked && Stopwatch.GetElapsedTime(started) < DrainTimeout)
            {
                await Task.Delay(DrainPoll, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // A consumer failed or the user interrupted; the caller tells which.
        }
    }

    private async Task ReportProgressAsync(BenchWindow window, BenchCounters counters, List<BenchConsumerSink> sinks, CancellationToken cancellationToken)
    {
        long lastAcked = 0;
        var last = Stopwatch.GetTimestamp();
        using var timer = new PeriodicTimer(ProgressInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = Stopwatch.GetTimestamp();
                var acked = counters.Acked;
                var seconds = Stopwatch.GetElapsedTime(last, now).TotalSeconds;
                var perSecond = seconds > 0 ? (acked - lastAcked) / seconds : 0;
                var phase = now < window.WarmupEnd ? "warm-up" : now < window.End ? "measure" : "drain";
                var consumed = sinks.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $"  consumed {sinks.Sum(s => s.Received):N0}") : string.Empty;
                Progress(string.Create(CultureInfo.InvariantCulture,
                    $"[{Stopwatch.GetElapsedTime(window.Start, now).TotalSeconds,4:0}s {phase}] {perSecond,12:N0} records/s  {perSecond * _settings.RecordSize / (1024 * 1024),8:N2} MB/s  acked {acked:N0}  failed {counters.Failed:N0}{consumed}"));
                lastAcked = acked;
                last = now;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task DeleteAsync(string stream)
    {
        // Runs after Ctrl-C too, so it has a token of its own.
        using var timeout = new CancellationTokenSource(CleanupTimeout);
        try
        {
            await _target.DeleteStreamAsync(stream, timeout.Token);
            Progress($"deleted stream {stream}");
        }
        catch (Exception e)
        {
            _context.Error($"could not delete stream {stream}: {CommandRunner.Describe(e, _target.Endpoint)}");
        }
    }

    private void Progress(string message) => _context.Stderr.WriteLine(message);

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}
