namespace Sluice.Core;

/// <summary>An error the application services raise for a face to translate into its protocol.</summary>
public sealed class SluiceException : Exception
{
    /// <summary>Creates an error.</summary>
    public SluiceException(SluiceErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>What kind of error this is.</summary>
    public SluiceErrorCode Code { get; }

    /// <summary>True when retrying the same request may succeed.</summary>
    public bool IsRetriable => Code is SluiceErrorCode.Unavailable or SluiceErrorCode.Throttled;

    /// <summary>For <see cref="SluiceErrorCode.Throttled"/>: how long until the quota has room again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>A stream that does not exist, worded the same for a missing stream and another tenant's.</summary>
    public static SluiceException StreamNotFound(string streamName) =>
        new(SluiceErrorCode.NotFound, $"Stream {streamName} not found.");
}
