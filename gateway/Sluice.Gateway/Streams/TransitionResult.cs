using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Streams;

/// <summary>
/// Where a stream stands after an attempt at its transition: <see cref="Stream"/> as last read
/// (null when it is gone, or when the attempt failed before reading it).
/// </summary>
public readonly record struct TransitionResult(bool Exists, StreamDefinition? Stream)
{
    public static TransitionResult Gone => new(false, null);

    /// <summary>The attempt failed (a node or PostgreSQL did not answer); the stream's state is unknown.</summary>
    public static TransitionResult Unknown => new(true, null);

    /// <summary>True when nothing is left to do: the stream is gone, or neither CREATING nor DELETING.</summary>
    public bool IsSettled => !Exists || (Stream is { } stream && !StreamLifecycleRules.IsTransitioning(stream.Status));
}
