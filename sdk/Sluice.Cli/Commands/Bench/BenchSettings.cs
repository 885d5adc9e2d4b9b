namespace Sluice.Cli.Commands.Bench;

/// <summary>One benchmark run's workload, as given on the command line.</summary>
internal sealed record BenchSettings
{
    public const int TimestampBytes = sizeof(long);

    /// <summary><c>grpc</c> or <c>rest</c>.</summary>
    public required string Api { get; init; }

    public required int Shards { get; init; }

    public required int RecordSize { get; init; }

    public required int DurationSeconds { get; init; }

    public required int WarmupSeconds { get; init; }

    /// <summary>Records per second in total; 0 means as fast as the producers can go.</summary>
    public required int Rate { get; init; }

    public required int Producers { get; init; }

    public required int BatchSize { get; init; }

    public required bool Consumers { get; init; }

    /// <summary>Read the run's records back from the oldest after producing, and report the rate.</summary>
    public bool CatchUp { get; init; }

    /// <summary>Least time between the starts of two reads of one shard.</summary>
    public int PollIntervalMs { get; init; } = BenchStreams.DefaultPollIntervalMs;

    /// <summary>An existing stream to use (and keep) instead of a new one.</summary>
    public string? Stream { get; init; }

    public required bool Keep { get; init; }

    public required bool Json { get; init; }

    /// <summary>Send JSON records valid against infra/bench/json-schema-10.json (<see cref="BenchJsonRecords"/>) instead of random bytes.</summary>
    public bool JsonRecords { get; init; }
}
