using Sluice.Core;
using Sluice.Gateway.Routing;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Records;

/// <summary>Whether a stream takes puts and reads now: only while ACTIVE (or UPDATING).</summary>
internal static class StreamAvailability
{
    /// <summary>Throws <see cref="SluiceErrorCode.StreamNotActive"/> when the stream is CREATING or DELETING.</summary>
    public static void EnsureAcceptsRecords(StreamRoute route, Tenant tenant)
    {
        var stream = route.Definition;
        if (!StreamLifecycleRules.AcceptsRecords(stream.Status))
        {
            throw new SluiceException(SluiceErrorCode.StreamNotActive,
                $"Stream {stream.Name} under account {tenant.AccountId} is {stream.Status.ToString().ToUpperInvariant()}, not ACTIVE: it takes records only while ACTIVE.");
        }
    }
}
