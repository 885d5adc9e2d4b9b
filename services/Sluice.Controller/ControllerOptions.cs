namespace Sluice.Controller;

/// <summary>The controller's identity and timings, bound from <c>Sluice:Controller</c>.</summary>
public sealed record ControllerOptions
{
    public const string Section = "Sluice:Controller";

    public static ControllerOptions Default { get; } = new();

    /// <summary>Whether this process runs a controller (active or standby).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>How this controller is named in logs and in <see cref="ControllerStatus"/>; defaults to <c>{machine}-{pid}</c>.</summary>
    public string? Id { get; init; }

    /// <summary>How often the active controller reads the cluster and acts.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a standby tries to become active.</summary>
    public TimeSpan LockRetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A node whose heartbeat (or node epoch) the active controller has not seen change for this
    /// long of its own observation time is dead. Several storage-node heartbeat intervals.
    /// </summary>
    public TimeSpan NodeLease { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The most characters of <see cref="Id"/>: it travels in PostgreSQL's application_name (63 bytes).</summary>
    public const int MaxIdLength = 40;

    /// <summary><see cref="Id"/>, or <c>{machine}-{pid}</c> (its last <see cref="MaxIdLength"/> characters) when unset.</summary>
    public string ResolveId()
    {
        if (!string.IsNullOrEmpty(Id))
        {
            return Id;
        }

        var id = $"{Environment.MachineName}-{Environment.ProcessId}";
        return id.Length > MaxIdLength ? id[^MaxIdLength..] : id;
    }

    /// <summary>Null when the options are usable, else what is wrong.</summary>
    public string? Problem() => this switch
    {
        { TickInterval: var t } when t <= TimeSpan.Zero => "Sluice:Controller:TickInterval must be positive.",
        { LockRetryInterval: var t } when t <= TimeSpan.Zero => "Sluice:Controller:LockRetryInterval must be positive.",
        { NodeLease: var t } when t <= TimeSpan.Zero => "Sluice:Controller:NodeLease must be positive.",
        { NodeLease: var lease, TickInterval: var tick } when lease < tick * 2 => "Sluice:Controller:NodeLease must be at least two TickIntervals.",
        { Id: { Length: > MaxIdLength } } => $"Sluice:Controller:Id must be at most {MaxIdLength} characters.",
        { Id: { } id } when id.Any(char.IsControl) => "Sluice:Controller:Id must not hold control characters.",
        _ => null,
    };
}
