namespace Sluice.Log;

/// <summary>When appended data is fsynced relative to acknowledging the append.</summary>
public enum FlushPolicy
{
    /// <summary>fsync before an append completes (one fsync per group commit). Nothing acknowledged is lost in a crash.</summary>
    EveryAppend,

    /// <summary>
    /// Appends complete (and become readable) once written to the OS; fsync runs every <see cref="LogOptions.FlushInterval"/>.
    /// A machine crash can lose up to one interval of acknowledged records; a process crash loses nothing.
    /// </summary>
    Interval,
}
