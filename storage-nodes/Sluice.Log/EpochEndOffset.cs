namespace Sluice.Log;

/// <summary>
/// The answer to <see cref="PartitionLog.EndOffsetForEpoch"/>: the largest epoch the log knows at or below the one
/// asked for, and the offset one past its last record (where a diverging follower truncates to).
/// </summary>
/// <param name="Epoch">The epoch the end offset belongs to, -1 when undefined.</param>
/// <param name="EndOffset">One past the epoch's last offset, -1 when undefined.</param>
public readonly record struct EpochEndOffset(int Epoch, long EndOffset)
{
    /// <summary>No answer: the log has no entry at or below the requested epoch.</summary>
    public static EpochEndOffset Undefined { get; } = new(-1, -1);

    /// <summary>True for <see cref="Undefined"/>.</summary>
    public bool IsUndefined => Epoch < 0;
}
