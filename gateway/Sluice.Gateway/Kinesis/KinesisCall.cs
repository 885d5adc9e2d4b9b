using Sluice.Gateway.Auth;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Kinesis;

/// <summary>
/// An authenticated Kinesis request: who makes it, the region its signature named (for ARNs), the operation and what that operation
/// needs from the ACLs (<see cref="KinesisEndpoint"/> decides it per operation; null for an operation on no stream). Every operation on
/// a stream calls <see cref="Authorize"/> with the stream's name once it knows it.
/// </summary>
internal sealed record KinesisCall(Caller Caller, string Region, string Operation = "", StreamAccessKind? Access = null)
{
    public Tenant Tenant => Caller.Tenant;

    /// <summary>True once <see cref="Authorize"/> allowed the call.</summary>
    public bool Authorized { get; private set; }

    public string StreamArn(string streamName) => $"arn:aws:kinesis:{Region}:{Tenant.AccountId}:stream/{streamName}";

    /// <summary>
    /// Refuses the call with Kinesis' <c>AccessDeniedException</c> (in AWS's words) unless the caller's ACLs allow the operation on
    /// <paramref name="streamName"/> of its own tenant.
    /// </summary>
    public void Authorize(string streamName)
    {
        if (Access is { } access && !StreamAccess.Allows(Caller, access, streamName))
        {
            throw new KinesisException(KinesisException.AccessDenied,
                $"User: arn:aws:iam::{Tenant.AccountId}:user/{Caller.Principal} is not authorized to perform: kinesis:{Operation} on resource: {StreamArn(streamName)}");
        }

        Authorized = true;
    }
}
