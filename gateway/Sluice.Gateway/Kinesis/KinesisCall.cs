using Sluice.Metadata.Model;

namespace Sluice.Gateway.Kinesis;

/// <summary>An authenticated Kinesis request: whose it is and the region its signature named (for ARNs).</summary>
internal sealed record KinesisCall(Tenant Tenant, string Region)
{
    public string StreamArn(string streamName) => $"arn:aws:kinesis:{Region}:{Tenant.AccountId}:stream/{streamName}";
}
