namespace Sluice.Log;

/// <summary>
/// One entry of the leader epoch cache: the first offset written in <paramref name="Epoch"/>. Entries are ordered by
/// both fields, strictly increasing.
/// </summary>
/// <param name="Epoch">The leader epoch.</param>
/// <param name="StartOffset">The base offset of the first batch appended in that epoch.</param>
public readonly record struct EpochEntry(int Epoch, long StartOffset);
