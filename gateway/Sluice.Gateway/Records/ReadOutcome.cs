using Sluice.Core;
using Sluice.Gateway.Routing;
using Sluice.Log;
using Sluice.Storage.V1;

namespace Sluice.Gateway.Records;

/// <summary>Records read from one shard, still in the storage node's encoding, and where to continue.</summary>
public sealed class ReadOutcome(int shardIndex, ReadResponse response, long millisBehindLatest)
{
    public int ShardIndex { get; } = shardIndex;

    public int Count => response.RecordCount;

    public long MillisBehindLatest { get; } = millisBehindLatest;

    /// <summary>
    /// Set when the read reached the end of a closed shard: the shards that took over its hash
    /// keys (Kinesis' ChildShards). The reader continues there; this shard has nothing more.
    /// </summary>
    public IReadOnlyList<ShardRoute>? ChildShards { get; init; }

    /// <summary>True when the read is at the end of a closed shard.</summary>
    public bool IsShardEnd => ChildShards is not null;

    /// <summary>An empty read at the end of a closed shard that ends at <paramref name="endingOffset"/>.</summary>
    public static ReadOutcome EndOfShard(int shardIndex, long endingOffset, IReadOnlyList<ShardRoute> children) =>
        new(shardIndex, new ReadResponse { NextOffset = endingOffset, LogEndOffset = endingOffset, FirstOffset = endingOffset }, 0) { ChildShards = children };

    public string NextSequenceNumber => SequenceNumber.Encode(ShardIndex, response.NextOffset);

    /// <summary>The offset the next read continues from.</summary>
    public long NextOffset => response.NextOffset;

    /// <summary>A cursor over the records, for a face to turn each into its own shape without an intermediate object.</summary>
    public Cursor GetCursor() => new(response, ShardIndex);

    /// <summary>Walks the records of a read in order.</summary>
    public struct Cursor(ReadResponse response, int shardIndex)
    {
        private readonly ReadOnlyMemory<byte> _chunk = response.Records.Memory;
        private readonly SequenceNumberFormatter _sequenceNumbers = new(shardIndex);
        private int _position;
        private int _read;

        public long Offset { get; private set; } = response.FirstOffset - 1;

        /// <summary>The current record's sequence number (made on each call; the faces call it once per record).</summary>
        public readonly string SequenceNumber => _sequenceNumbers.Format(Offset);

        public long TimestampMs { get; private set; }

        public ReadOnlyMemory<byte> Key { get; private set; }

        public ReadOnlyMemory<byte> Value { get; private set; }

        /// <summary>Moves to the next record; false after the last.</summary>
        public bool MoveNext()
        {
            if (_read == response.RecordCount)
            {
                return false;
            }

            if (!ReadChunk.TryRead(_chunk, ref _position, out var timestamp, out var key, out var value))
            {
                throw new SluiceException(SluiceErrorCode.Internal,
                    $"A storage node returned a malformed read: record {_read} of {response.RecordCount} is cut short.");
            }

            _read++;
            Offset++;
            TimestampMs = timestamp;
            Key = key;
            Value = value;
            return true;
        }
    }
}
