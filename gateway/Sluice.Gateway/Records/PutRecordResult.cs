using Sluice.Core;

namespace Sluice.Gateway.Records;

/// <summary>The outcome of one record of a put: its shard and offset, or an error code and message.</summary>
public readonly record struct PutRecordResult(int ShardIndex, long Offset, string? ErrorCode, string? ErrorMessage)
{
    public const string InvalidArgument = "InvalidArgument";
    public const string ServiceUnavailable = "ServiceUnavailable";
    public const string InternalFailure = "InternalFailure";

    /// <summary>A quota of the record's shard, tenant or stream had no room: nothing of the record was written; retry later.</summary>
    public const string Throttled = "Throttled";

    /// <summary>An idempotent put's sequence is older than every batch its shard keeps for the producer: not written again, not retriable.</summary>
    public const string DuplicateSequence = "DuplicateSequence";

    /// <summary>An idempotent put's producer epoch is older than one that has written to the shard.</summary>
    public const string ProducerFenced = "ProducerFenced";

    public bool Succeeded => ErrorCode is null;

    public string ShardId => Core.ShardId.Format(ShardIndex);

    public static PutRecordResult Success(int shardIndex, long offset) => new(shardIndex, offset, null, null);

    /// <summary>acks=none: routed to its shard and sent, with no sequence number (nothing waited for the write).</summary>
    public static PutRecordResult Accepted(int shardIndex) => new(shardIndex, NoOffset, null, null);

    /// <summary>The offset of a record accepted without acknowledgement.</summary>
    public const long NoOffset = -1;

    /// <summary>True when the record was written and has a sequence number (false for acks=none).</summary>
    public bool HasSequenceNumber => ErrorCode is null && Offset >= 0;

    public static PutRecordResult Failure(string code, string message) => new(-1, -1, code, message);

    public static PutRecordResult FromError(SluiceException error) => Failure(
        error.Code switch
        {
            SluiceErrorCode.InvalidArgument => InvalidArgument,
            SluiceErrorCode.Unavailable => ServiceUnavailable,
            _ => InternalFailure,
        },
        error.Message);
}
