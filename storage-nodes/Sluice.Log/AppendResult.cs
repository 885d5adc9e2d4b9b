namespace Sluice.Log;

/// <summary>
/// Where an append landed: offsets [<see cref="BaseOffset"/>, BaseOffset + <see cref="Count"/>), all stamped
/// <see cref="TimestampMs"/>. <see cref="LogEndOffset"/> is the visible end once the append completed, which may
/// already include later appends of the same group commit.
/// </summary>
public readonly record struct AppendResult(long BaseOffset, int Count, long TimestampMs, long LogEndOffset);
