using Microsoft.Extensions.Logging;
using Sluice.Log.Internal;

namespace Sluice.Log;

public sealed partial class PartitionLog
{
    /// <summary>
    /// The newest leader epoch that has written to the log (-1 when none has): the epoch of the last entry of
    /// <see cref="EpochEntries"/>. Leader appends below it are refused.
    /// </summary>
    public int LatestEpoch => _epochCache.LatestEpoch;

    /// <summary>
    /// The leader epoch cache (Kafka's <c>LeaderEpochFileCache</c>): for every epoch that wrote to the log, in order,
    /// the offset of its first batch. An entry is added when a batch with an epoch above <see cref="LatestEpoch"/>
    /// becomes visible, <see cref="TruncateToAsync"/> removes the entries starting at or after its offset, retention
    /// keeps them, and <see cref="ResetAsync"/> clears them. Persisted in the log directory as
    /// <c>leader-epoch-checkpoint</c>, and rebuilt from the batch headers when that file is missing, corrupt or behind
    /// the log. An immutable snapshot.
    /// </summary>
    public IReadOnlyList<EpochEntry> EpochEntries => _epochCache.Entries;

    /// <summary>
    /// Where <paramref name="epoch"/> ends in this log, as Kafka's <c>endOffsetFor</c> (OffsetsForLeaderEpoch, KIP-101
    /// and KIP-279): for the latest epoch, (epoch, <see cref="LogEndOffset"/>); for an epoch below the first entry's,
    /// or when the cache is empty, <see cref="EpochEndOffset.Undefined"/>; otherwise the largest epoch at or below
    /// the requested one, with the start offset of the first entry above it (or <see cref="LogEndOffset"/> when
    /// there is none) as the end. A follower truncates its log to the end offset its leader answers for the
    /// follower's own latest epoch.
    /// </summary>
    /// <remarks>
    /// An epoch above the latest answers (latest epoch, <see cref="LogEndOffset"/>): entries appear with a leader's
    /// first batch, not at its election, so a leader that has not yet written in its own epoch still answers
    /// usefully for the one before. The end offset never exceeds <see cref="LogEndOffset"/>.
    /// </remarks>
    public EpochEndOffset EndOffsetForEpoch(int epoch)
    {
        // The end first: entries are published before the end offset moves, so they cover whatever end was read.
        var end = LogEndOffset;
        return LeaderEpochCache.EndOffsetFor(_epochCache.Entries, epoch, end);
    }

    /// <summary>
    /// Loads the epoch cache and checks it against the recovered log; rebuilds it from the batch headers of every
    /// segment when the file is missing or corrupt, or when the tail holds an epoch it does not know (a crash between
    /// a batch becoming durable and the checkpoint being replaced).
    /// </summary>
    private static LeaderEpochCache LoadEpochCache(string directory, Segment[] segments, ILogger logger)
    {
        var end = segments[^1].NextOffset;
        var cache = LeaderEpochCache.TryLoad(directory, logger, out var problem);
        if (cache is not null)
        {
            var tailEpoch = segments[^1].RecoveredLastEpoch;
            if (tailEpoch <= cache.LatestEpoch || tailEpoch < 0)
            {
                // Entries for offsets that recovery cut off (a torn tail) go with them.
                cache.TruncateFrom(end);
                return cache;
            }

            problem = $"the tail holds epoch {tailEpoch}, newer than the latest entry {cache.LatestEpoch}";
        }

        var hasData = segments[0].BaseOffset < end;
        if (!hasData && problem == "missing")
        {
            return LeaderEpochCache.Create(directory, [], logger); // a new log: the file appears with the first epoch
        }

        logger.RebuildingEpochCache(directory, problem ?? "unknown");
        var rebuilt = LeaderEpochCache.Create(directory, ScanEpochs(segments, end), logger);
        rebuilt.Persist();
        return rebuilt;
    }

    /// <summary>The epoch entries of the log, from its batch headers (no bodies are read).</summary>
    private static EpochEntry[] ScanEpochs(Segment[] segments, long end)
    {
        var entries = new List<EpochEntry>();
        var latest = -1;
        foreach (var segment in segments)
        {
            using var scanner = new SegmentScanner(
                segment.Handle, 0, segment.PublishedSize, segment.BaseOffset, verifyCrc: false, SegmentScanner.LookupBufferSize);
            while (scanner.TryReadNext(out var header, out _) && header.BaseOffset < end)
            {
                if (header.LeaderEpoch > latest)
                {
                    latest = header.LeaderEpoch;
                    entries.Add(new EpochEntry(latest, header.BaseOffset));
                }
            }
        }

        return [.. entries];
    }
}
