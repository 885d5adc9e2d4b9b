namespace Sluice.Log;

/// <summary>How durable appends reach the disk.</summary>
public enum SyncMode
{
    /// <summary>Logs of one store share one syncfs per round: fewer journal commits and cache flushes with many shards.</summary>
    FileSystem,

    /// <summary>Each log fsyncs its own segment file.</summary>
    File,
}
