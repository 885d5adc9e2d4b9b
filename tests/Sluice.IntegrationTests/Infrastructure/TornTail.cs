namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// Damage to the tail of a stopped replica's log, as a crash mid-write or a lying disk leaves it:
/// the last segment file cut inside its last batch, or garbage after it.
/// </summary>
internal static class TornTail
{
    private const string SegmentExtension = ".log";

    /// <summary>
    /// Cuts <paramref name="bytes"/> off the end of the replica's last segment file: its last
    /// batch (or more) becomes a partial one. Returns the file and its new length.
    /// </summary>
    public static (string Segment, long Length) CutLastSegment(string replicaDirectory, int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        var segment = LastSegment(replicaDirectory);
        using var file = new FileStream(segment, FileMode.Open, FileAccess.Write);
        if (file.Length <= bytes)
        {
            throw new InvalidOperationException($"{segment} has {file.Length} bytes: too few to cut {bytes} off it mid-batch.");
        }

        file.SetLength(file.Length - bytes);
        file.Flush(flushToDisk: true);
        return (segment, file.Length);
    }

    /// <summary>Appends <paramref name="bytes"/> random bytes to the replica's last segment file.</summary>
    public static string AppendGarbage(string replicaDirectory, int bytes, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        var segment = LastSegment(replicaDirectory);
        var garbage = new byte[bytes];
        random.NextBytes(garbage);
        using var file = new FileStream(segment, FileMode.Append, FileAccess.Write);
        file.Write(garbage);
        file.Flush(flushToDisk: true);
        return segment;
    }

    /// <summary>Segment files are named by their zero-padded base offset, so the last by name is the active one.</summary>
    private static string LastSegment(string replicaDirectory)
    {
        var segments = Directory.GetFiles(replicaDirectory, "*" + SegmentExtension);
        if (segments.Length == 0)
        {
            throw new InvalidOperationException($"{replicaDirectory} holds no segment file.");
        }

        Array.Sort(segments, StringComparer.Ordinal);
        return segments[^1];
    }
}
