namespace Sluice.Log.Internal;

/// <summary>A fixed-size entry of an index file, so one writer serves both index kinds.</summary>
internal interface IIndexEntry
{
    /// <summary>The header kind of files holding these entries.</summary>
    static abstract uint FileKind { get; }

    /// <summary>Bytes per entry.</summary>
    static abstract int EntrySize { get; }

    /// <summary>Writes the entry into the first <see cref="EntrySize"/> bytes of <paramref name="destination"/>.</summary>
    void Write(Span<byte> destination);
}
